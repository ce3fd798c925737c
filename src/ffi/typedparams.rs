//! libvirt's typed-parameter helpers (virTypedParams*), with libvirt's semantics: arrays are
//! malloc'd so that the application frees them with virTypedParamsFree (or free() after
//! virTypedParamsClear), Add* grows the array and refuses a name already present, Get* returns
//! 1 (found), 0 (absent) or -1 (wrong type or bad argument).

use super::types::*;
use super::{entry, str_arg};
use crate::abi::*;
use crate::error::{Result, VirError};
use crate::events::TypedParam;
use std::ffi::{c_char, c_int, c_longlong, c_uint, c_ulonglong, CStr};
use std::ptr;

/// Copies `params` into a malloc'd array (strings strdup'd), as the old job API returns them.
pub(crate) fn malloc_params(params: &[TypedParam]) -> Result<(virTypedParameterPtr, c_int)> {
    if params.is_empty() {
        return Ok((ptr::null_mut(), 0));
    }
    // SAFETY: a fresh zeroed array of the right size; every string is strdup'd into it.
    unsafe {
        let array = libc::calloc(params.len(), std::mem::size_of::<virTypedParameter>()) as virTypedParameterPtr;
        if array.is_null() {
            return Err(VirError::new(VIR_ERR_NO_MEMORY, VIR_FROM_NONE, "typed parameters"));
        }
        for (i, p) in super::events::typed_params(params).into_iter().enumerate() {
            let slot = &mut *array.add(i);
            *slot = p;
            if slot.r#type == VIR_TYPED_PARAM_STRING {
                slot.value.s = libc::strdup(slot.value.s);
            }
        }
        Ok((array, params.len() as c_int))
    }
}

fn field_of(p: &virTypedParameter) -> &[u8] {
    // SAFETY: `field` is a fixed array; reading up to its first NUL (or its end) stays inside it.
    let bytes = unsafe { std::slice::from_raw_parts(p.field.as_ptr() as *const u8, VIR_TYPED_PARAM_FIELD_LENGTH) };
    &bytes[..bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len())]
}

fn type_name(t: c_int) -> &'static str {
    match t {
        VIR_TYPED_PARAM_INT => "int",
        VIR_TYPED_PARAM_UINT => "uint",
        VIR_TYPED_PARAM_LLONG => "llong",
        VIR_TYPED_PARAM_ULLONG => "ullong",
        VIR_TYPED_PARAM_DOUBLE => "double",
        VIR_TYPED_PARAM_BOOLEAN => "boolean",
        VIR_TYPED_PARAM_STRING => "string",
        _ => "unknown",
    }
}

/// # Safety
/// `params` is NULL or points to `nparams` parameters; `name` is NULL or a C string.
unsafe fn find(params: virTypedParameterPtr, nparams: c_int, name: *const c_char) -> Option<*mut virTypedParameter> {
    if params.is_null() || name.is_null() || nparams <= 0 {
        return None;
    }
    let name = CStr::from_ptr(name).to_bytes();
    (0..nparams as usize).map(|i| params.add(i)).find(|&p| field_of(&*p) == name)
}

/// The first parameter called `name`, or NULL (not an error: no error is set, as in libvirt).
///
/// # Safety
/// `params` is NULL or points to `nparams` parameters; `name` is NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn virTypedParamsGet(params: virTypedParameterPtr, nparams: c_int, name: *const c_char) -> virTypedParameterPtr {
    super::entry_quiet(|| find(params, nparams, name).unwrap_or(ptr::null_mut()))
}

/// # Safety
/// As for virTypedParamsGet; `value` is NULL or writable.
unsafe fn get<T>(
    api: &'static str,
    params: virTypedParameterPtr,
    nparams: c_int,
    name: *const c_char,
    value: *mut T,
    want: c_int,
    read: impl FnOnce(&virTypedParameter) -> T,
) -> c_int {
    entry(api, || {
        str_arg(name, "name", api)?;
        if nparams < 0 || (params.is_null() && nparams > 0) {
            return Err(VirError::invalid_arg(format!("{api}: params/nparams are inconsistent")));
        }
        let Some(p) = find(params, nparams, name) else { return Ok(0) };
        let p = &*p;
        if p.r#type != want {
            return Err(VirError::invalid_arg(format!(
                "Invalid type '{}' requested for parameter '{}', actual type is '{}'",
                type_name(want),
                String::from_utf8_lossy(field_of(p)),
                type_name(p.r#type)
            )));
        }
        let out = value.as_mut().ok_or_else(|| VirError::invalid_arg(format!("{api}: value must not be NULL")))?;
        *out = read(p);
        Ok(1)
    })
}

/// Reads parameter `name` of this type into `*value`: 1 found, 0 absent, -1 on error
/// (another type, NULL `value`).
///
/// # Safety
/// `params` is NULL or points to `nparams` parameters; `name` a C string; `value` writable.
#[no_mangle]
pub unsafe extern "C" fn virTypedParamsGetInt(params: virTypedParameterPtr, nparams: c_int, name: *const c_char, value: *mut c_int) -> c_int {
    get("virTypedParamsGetInt", params, nparams, name, value, VIR_TYPED_PARAM_INT, |p| p.value.i)
}

/// Reads parameter `name` of this type into `*value`: 1 found, 0 absent, -1 on error
/// (another type, NULL `value`).
///
/// # Safety
/// `params` is NULL or points to `nparams` parameters; `name` a C string; `value` writable.
#[no_mangle]
pub unsafe extern "C" fn virTypedParamsGetUInt(params: virTypedParameterPtr, nparams: c_int, name: *const c_char, value: *mut c_uint) -> c_int {
    get("virTypedParamsGetUInt", params, nparams, name, value, VIR_TYPED_PARAM_UINT, |p| p.value.ui)
}

/// Reads parameter `name` of this type into `*value`: 1 found, 0 absent, -1 on error
/// (another type, NULL `value`).
///
/// # Safety
/// `params` is NULL or points to `nparams` parameters; `name` a C string; `value` writable.
#[no_mangle]
pub unsafe extern "C" fn virTypedParamsGetLLong(params: virTypedParameterPtr, nparams: c_int, name: *const c_char, value: *mut c_longlong) -> c_int {
    get("virTypedParamsGetLLong", params, nparams, name, value, VIR_TYPED_PARAM_LLONG, |p| p.value.l)
}

/// Reads parameter `name` of this type into `*value`: 1 found, 0 absent, -1 on error
/// (another type, NULL `value`).
///
/// # Safety
/// `params` is NULL or points to `nparams` parameters; `name` a C string; `value` writable.
#[no_mangle]
pub unsafe extern "C" fn virTypedParamsGetULLong(params: virTypedParameterPtr, nparams: c_int, name: *const c_char, value: *mut c_ulonglong) -> c_int {
    get("virTypedParamsGetULLong", params, nparams, name, value, VIR_TYPED_PARAM_ULLONG, |p| p.value.ul)
}

/// Reads parameter `name` of this type into `*value`: 1 found, 0 absent, -1 on error
/// (another type, NULL `value`).
///
/// # Safety
/// `params` is NULL or points to `nparams` parameters; `name` a C string; `value` writable.
#[no_mangle]
pub unsafe extern "C" fn virTypedParamsGetDouble(params: virTypedParameterPtr, nparams: c_int, name: *const c_char, value: *mut f64) -> c_int {
    get("virTypedParamsGetDouble", params, nparams, name, value, VIR_TYPED_PARAM_DOUBLE, |p| p.value.d)
}


/// Reads boolean parameter `name` into `*value` (0 or 1): 1 found, 0 absent, -1 on error.
///
/// # Safety
/// As for virTypedParamsGetInt.
#[no_mangle]
pub unsafe extern "C" fn virTypedParamsGetBoolean(params: virTypedParameterPtr, nparams: c_int, name: *const c_char, value: *mut c_int) -> c_int {
    get("virTypedParamsGetBoolean", params, nparams, name, value, VIR_TYPED_PARAM_BOOLEAN, |p| (p.value.b != 0) as c_int)
}

/// Points `*value` at string parameter `name` (owned by `params`): 1 found, 0 absent, -1 on error.
///
/// # Safety
/// As for virTypedParamsGetInt.
#[no_mangle]
pub unsafe extern "C" fn virTypedParamsGetString(params: virTypedParameterPtr, nparams: c_int, name: *const c_char, value: *mut *const c_char) -> c_int {
    get("virTypedParamsGetString", params, nparams, name, value, VIR_TYPED_PARAM_STRING, |p| p.value.s as *const c_char)
}

/// Appends one parameter, growing the malloc'd array as needed.
///
/// # Safety
/// `params`, `nparams`, `maxparams` are NULL or writable and describe a malloc'd array.
unsafe fn add(
    api: &'static str,
    params: *mut virTypedParameterPtr,
    nparams: *mut c_int,
    maxparams: *mut c_int,
    name: *const c_char,
    allow_duplicate: bool,
    make: impl FnOnce() -> Result<(c_int, _virTypedParameterValue)>,
) -> Result<()> {
    let name_str = str_arg(name, "name", api)?;
    let (array, count, max) = match (params.as_mut(), nparams.as_mut(), maxparams.as_mut()) {
        (Some(a), Some(n), Some(m)) => (a, n, m),
        _ => return Err(VirError::invalid_arg(format!("{api}: params, nparams and maxparams must not be NULL"))),
    };
    if *count < 0 || *max < *count || (array.is_null() && *count > 0) {
        return Err(VirError::invalid_arg(format!("{api}: nparams/maxparams are inconsistent")));
    }
    if name_str.len() >= VIR_TYPED_PARAM_FIELD_LENGTH {
        return Err(VirError::invalid_arg(format!("{api}: parameter name '{name_str}' too long")));
    }
    if !allow_duplicate && find(*array, *count, name).is_some() {
        return Err(VirError::invalid_arg(format!("Parameter '{name_str}' is already set")));
    }
    let (kind, value) = make()?;
    if *count == *max {
        let grown = (*max as usize).max(4) * 2;
        let bigger = libc::realloc(*array as *mut libc::c_void, grown * std::mem::size_of::<virTypedParameter>()) as virTypedParameterPtr;
        if bigger.is_null() {
            if kind == VIR_TYPED_PARAM_STRING {
                libc::free(value.s as *mut libc::c_void);
            }
            return Err(VirError::new(VIR_ERR_NO_MEMORY, VIR_FROM_NONE, api));
        }
        *array = bigger;
        *max = grown as c_int;
    }
    let mut field = [0 as c_char; VIR_TYPED_PARAM_FIELD_LENGTH];
    ptr::copy_nonoverlapping(name_str.as_ptr() as *const c_char, field.as_mut_ptr(), name_str.len());
    ptr::write((*array).add(*count as usize), virTypedParameter { field, r#type: kind, value });
    *count += 1;
    Ok(())
}

/// Appends parameter `name` with `value`, growing `*params` (and `*maxparams`) as needed;
/// refuses a name already present. Returns 0 or -1.
///
/// # Safety
/// `params`, `nparams`, `maxparams` are writable and describe a malloc'd array (or NULL, 0, 0).
#[no_mangle]
pub unsafe extern "C" fn virTypedParamsAddInt(params: *mut virTypedParameterPtr, nparams: *mut c_int, maxparams: *mut c_int, name: *const c_char, value: c_int) -> c_int {
    entry("virTypedParamsAddInt", || {
        add("virTypedParamsAddInt", params, nparams, maxparams, name, false, || Ok((VIR_TYPED_PARAM_INT, _virTypedParameterValue { i: value })))?;
        Ok(0)
    })
}

/// Appends parameter `name` with `value`, growing `*params` (and `*maxparams`) as needed;
/// refuses a name already present. Returns 0 or -1.
///
/// # Safety
/// `params`, `nparams`, `maxparams` are writable and describe a malloc'd array (or NULL, 0, 0).
#[no_mangle]
pub unsafe extern "C" fn virTypedParamsAddUInt(params: *mut virTypedParameterPtr, nparams: *mut c_int, maxparams: *mut c_int, name: *const c_char, value: c_uint) -> c_int {
    entry("virTypedParamsAddUInt", || {
        add("virTypedParamsAddUInt", params, nparams, maxparams, name, false, || Ok((VIR_TYPED_PARAM_UINT, _virTypedParameterValue { ui: value })))?;
        Ok(0)
    })
}

/// Appends parameter `name` with `value`, growing `*params` (and `*maxparams`) as needed;
/// refuses a name already present. Returns 0 or -1.
///
/// # Safety
/// `params`, `nparams`, `maxparams` are writable and describe a malloc'd array (or NULL, 0, 0).
#[no_mangle]
pub unsafe extern "C" fn virTypedParamsAddLLong(params: *mut virTypedParameterPtr, nparams: *mut c_int, maxparams: *mut c_int, name: *const c_char, value: c_longlong) -> c_int {
    entry("virTypedParamsAddLLong", || {
        add("virTypedParamsAddLLong", params, nparams, maxparams, name, false, || Ok((VIR_TYPED_PARAM_LLONG, _virTypedParameterValue { l: value })))?;
        Ok(0)
    })
}

/// Appends parameter `name` with `value`, growing `*params` (and `*maxparams`) as needed;
/// refuses a name already present. Returns 0 or -1.
///
/// # Safety
/// `params`, `nparams`, `maxparams` are writable and describe a malloc'd array (or NULL, 0, 0).
#[no_mangle]
pub unsafe extern "C" fn virTypedParamsAddULLong(params: *mut virTypedParameterPtr, nparams: *mut c_int, maxparams: *mut c_int, name: *const c_char, value: c_ulonglong) -> c_int {
    entry("virTypedParamsAddULLong", || {
        add("virTypedParamsAddULLong", params, nparams, maxparams, name, false, || Ok((VIR_TYPED_PARAM_ULLONG, _virTypedParameterValue { ul: value })))?;
        Ok(0)
    })
}

/// Appends parameter `name` with `value`, growing `*params` (and `*maxparams`) as needed;
/// refuses a name already present. Returns 0 or -1.
///
/// # Safety
/// `params`, `nparams`, `maxparams` are writable and describe a malloc'd array (or NULL, 0, 0).
#[no_mangle]
pub unsafe extern "C" fn virTypedParamsAddDouble(params: *mut virTypedParameterPtr, nparams: *mut c_int, maxparams: *mut c_int, name: *const c_char, value: f64) -> c_int {
    entry("virTypedParamsAddDouble", || {
        add("virTypedParamsAddDouble", params, nparams, maxparams, name, false, || Ok((VIR_TYPED_PARAM_DOUBLE, _virTypedParameterValue { d: value })))?;
        Ok(0)
    })
}


/// Appends boolean parameter `name` (any non-zero `value` is true). Returns 0 or -1.
///
/// # Safety
/// As for virTypedParamsAddInt.
#[no_mangle]
pub unsafe extern "C" fn virTypedParamsAddBoolean(params: *mut virTypedParameterPtr, nparams: *mut c_int, maxparams: *mut c_int, name: *const c_char, value: c_int) -> c_int {
    entry("virTypedParamsAddBoolean", || {
        add("virTypedParamsAddBoolean", params, nparams, maxparams, name, false, || {
            Ok((VIR_TYPED_PARAM_BOOLEAN, _virTypedParameterValue { b: (value != 0) as c_char }))
        })?;
        Ok(0)
    })
}

/// strdup of a C string the caller lends.
unsafe fn dup(api: &str, s: *const c_char) -> Result<*mut c_char> {
    str_arg(s, "value", api)?;
    let copy = libc::strdup(s);
    if copy.is_null() {
        return Err(VirError::new(VIR_ERR_NO_MEMORY, VIR_FROM_NONE, api));
    }
    Ok(copy)
}

/// Appends string parameter `name` with a copy of `value`. Returns 0 or -1.
///
/// # Safety
/// As for virTypedParamsAddInt; `value` is a C string.
#[no_mangle]
pub unsafe extern "C" fn virTypedParamsAddString(params: *mut virTypedParameterPtr, nparams: *mut c_int, maxparams: *mut c_int, name: *const c_char, value: *const c_char) -> c_int {
    entry("virTypedParamsAddString", || {
        add("virTypedParamsAddString", params, nparams, maxparams, name, false, || {
            Ok((VIR_TYPED_PARAM_STRING, _virTypedParameterValue { s: dup("virTypedParamsAddString", value)? }))
        })?;
        Ok(0)
    })
}

/// Appends one string parameter `name` per entry of the NULL-terminated `values` (the one
/// helper that adds a name several times, as libvirt's does). Returns 0 or -1.
///
/// # Safety
/// As for virTypedParamsAddInt; `values` is a NULL-terminated array of C strings.
#[no_mangle]
pub unsafe extern "C" fn virTypedParamsAddStringList(params: *mut virTypedParameterPtr, nparams: *mut c_int, maxparams: *mut c_int, name: *const c_char, values: *mut *const c_char) -> c_int {
    entry("virTypedParamsAddStringList", || {
        if values.is_null() {
            return Err(VirError::invalid_arg("virTypedParamsAddStringList: values must not be NULL"));
        }
        let mut i = 0;
        while !(*values.add(i)).is_null() {
            let value = *values.add(i);
            add("virTypedParamsAddStringList", params, nparams, maxparams, name, true, || {
                Ok((VIR_TYPED_PARAM_STRING, _virTypedParameterValue { s: dup("virTypedParamsAddStringList", value)? }))
            })?;
            i += 1;
        }
        Ok(0)
    })
}

/// Appends parameter `name` of type `type` (a virTypedParameterType) parsed from `value`.
/// Returns 0 or -1 (unparsable value, unknown type).
///
/// # Safety
/// As for virTypedParamsAddString.
#[no_mangle]
pub unsafe extern "C" fn virTypedParamsAddFromString(params: *mut virTypedParameterPtr, nparams: *mut c_int, maxparams: *mut c_int, name: *const c_char, r#type: c_int, value: *const c_char) -> c_int {
    const API: &str = "virTypedParamsAddFromString";
    entry(API, || {
        let text = str_arg(value, "value", API)?;
        let bad = || VirError::invalid_arg(format!("Invalid value '{text}' for parameter of type '{}'", type_name(r#type)));
        // A string is copied when it is stored; everything else is parsed first.
        let parsed = match r#type {
            VIR_TYPED_PARAM_STRING => None,
            VIR_TYPED_PARAM_INT => Some(_virTypedParameterValue { i: text.parse().map_err(|_| bad())? }),
            VIR_TYPED_PARAM_UINT => Some(_virTypedParameterValue { ui: text.parse().map_err(|_| bad())? }),
            VIR_TYPED_PARAM_LLONG => Some(_virTypedParameterValue { l: text.parse().map_err(|_| bad())? }),
            VIR_TYPED_PARAM_ULLONG => Some(_virTypedParameterValue { ul: text.parse().map_err(|_| bad())? }),
            VIR_TYPED_PARAM_DOUBLE => Some(_virTypedParameterValue { d: text.parse().map_err(|_| bad())? }),
            VIR_TYPED_PARAM_BOOLEAN => Some(_virTypedParameterValue {
                b: match text {
                    "1" | "yes" | "true" => 1,
                    "0" | "no" | "false" => 0,
                    _ => return Err(bad()),
                },
            }),
            other => return Err(VirError::invalid_arg(format!("{API}: unknown parameter type {other}"))),
        };
        add(API, params, nparams, maxparams, name, false, || match parsed {
            Some(v) => Ok((r#type, v)),
            None => Ok((VIR_TYPED_PARAM_STRING, _virTypedParameterValue { s: dup(API, value)? })),
        })?;
        Ok(0)
    })
}

/// Frees the strings the parameters hold (not the array itself).
///
/// # Safety
/// `params` is NULL or points to `nparams` parameters whose strings were malloc'd.
#[no_mangle]
pub unsafe extern "C" fn virTypedParamsClear(params: virTypedParameterPtr, nparams: c_int) {
    super::entry_quiet(|| {
        if params.is_null() {
            return;
        }
        for i in 0..nparams.max(0) as usize {
            let p = &mut *params.add(i);
            if p.r#type == VIR_TYPED_PARAM_STRING {
                libc::free(p.value.s as *mut libc::c_void);
                p.value.s = ptr::null_mut();
            }
        }
    })
}

/// virTypedParamsClear, then frees the array.
///
/// # Safety
/// As for virTypedParamsClear, and `params` was malloc'd.
#[no_mangle]
pub unsafe extern "C" fn virTypedParamsFree(params: virTypedParameterPtr, nparams: c_int) {
    virTypedParamsClear(params, nparams);
    libc::free(params as *mut libc::c_void);
}
