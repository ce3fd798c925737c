//! A small XML element tree on top of quick-xml: parse a document into elements, edit them,
//! and write them back in libvirt's style (two-space indent, single-quoted attributes).
//! Domain definitions keep the whole tree so that what an application defined round-trips.
//!
//! Every document comes from the application, so parsing stops at the limits below, and
//! parsing, checking, writing and dropping a tree walk it with explicit stacks: nothing here
//! recurses over the document's depth.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::collections::HashSet;

/// Largest document accepted, in bytes: 4 MiB, the longest string libvirt's RPC protocol
/// carries (`VIR_NET_MESSAGE_STRING_MAX`), so no libvirt client can send a larger domain XML.
/// It also bounds every text and attribute value, as only the five predefined entities and
/// character references are expanded and neither makes a text longer.
pub(crate) const MAX_DOCUMENT_BYTES: usize = 4 << 20;
/// Deepest element nesting accepted (the root is level 1): libxml2's default, which is what
/// libvirt's parser refuses beyond.
pub(crate) const MAX_DEPTH: usize = 256;
/// Most elements in a document. Real domain XML has a few hundred; this bounds the tree's
/// memory to a few tens of MiB.
pub(crate) const MAX_ELEMENTS: usize = 100_000;
/// Most attributes on one element (libvirt's elements have at most a dozen or so).
pub(crate) const MAX_ATTRIBUTES: usize = 256;
/// Longest element or attribute name, in bytes.
pub(crate) const MAX_NAME_BYTES: usize = 1024;

/// One element: its (possibly prefixed) name, attributes in document order, and children.
#[derive(Default)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
}

pub enum Node {
    Element(Element),
    Text(String),
}

/// A tree as deep as the document would overflow the stack with the derived, recursive drop.
impl Drop for Element {
    fn drop(&mut self) {
        let mut pending = std::mem::take(&mut self.children);
        while let Some(node) = pending.pop() {
            if let Node::Element(mut element) = node {
                pending.append(&mut element.children);
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XmlErrorKind {
    /// The document is not well-formed XML, or a tree would not write as such.
    NotWellFormed,
    /// The document is beyond one of the limits above.
    OverLimit,
}

/// Why a document was refused; the message says where (as a byte offset, when parsing) and,
/// for a limit, which one and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlError {
    pub kind: XmlErrorKind,
    pub message: String,
}

impl XmlError {
    fn not_well_formed(message: String) -> Self {
        XmlError { kind: XmlErrorKind::NotWellFormed, message }
    }
    fn over_limit(message: String) -> Self {
        XmlError { kind: XmlErrorKind::OverLimit, message }
    }
}

impl std::fmt::Display for XmlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

fn is_name_start_char(c: char) -> bool {
    matches!(c,
        ':' | 'A'..='Z' | '_' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}'
        | '\u{F8}'..='\u{2FF}' | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}'
        | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}'
        | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}'
        | '\u{10000}'..='\u{EFFFF}')
}

fn is_name_char(c: char) -> bool {
    is_name_start_char(c)
        || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// XML's `Name` production: what element and attribute names may be.
pub fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(is_name_start_char) && chars.all(is_name_char)
}

/// XML Namespaces' `NCName`: a name without a colon, what a namespace prefix may be.
pub fn is_ncname(s: &str) -> bool {
    !s.contains(':') && is_name(s)
}

/// XML's `Char` production: the characters a document may contain at all.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// Refuses text that no XML document can carry, even escaped (control characters, U+FFFE…).
pub fn check_chars(s: &str, what: &str) -> Result<(), String> {
    match s.char_indices().find(|(_, c)| !is_xml_char(*c)) {
        Some((at, c)) => Err(format!("{what} contains U+{:04X} at byte {at}, a character XML does not allow", c as u32)),
        None => Ok(()),
    }
}

/// `s` for a message: quoted, escaped, and cut short when long.
pub fn quoted(s: &str) -> String {
    const SHOWN: usize = 64;
    match s.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("'{}…' ({} bytes)", s[..cut].escape_debug(), s.len()),
        None => format!("'{}'", s.escape_debug()),
    }
}

/// Refuses a namespace name that is not an absolute URI (a scheme, then characters a URI or
/// IRI may hold, with `%` escapes well-formed). What passes may still hold `&` and `'`, which
/// writing escapes.
pub fn check_namespace_uri(uri: &str) -> Result<(), String> {
    let bad = |why: &str| Err(format!("namespace URI {} {why}", quoted(uri)));
    let Some((scheme, _)) = uri.split_once(':') else {
        return bad("is not an absolute URI (no scheme)");
    };
    let mut scheme_chars = scheme.chars();
    if !scheme_chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        || !scheme_chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return bad("does not start with a URI scheme");
    }
    let bytes = uri.as_bytes();
    for (at, c) in uri.char_indices() {
        let allowed = match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' => true,
            '-' | '.' | '_' | '~' | ':' | '/' | '?' | '#' | '[' | ']' | '@' => true,
            '!' | '$' | '&' | '\'' | '(' | ')' | '*' | '+' | ',' | ';' | '=' => true,
            '%' => bytes.get(at + 1..at + 3).is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)),
            _ => !c.is_ascii() && is_xml_char(c) && !c.is_whitespace() && !c.is_control(),
        };
        if !allowed {
            return bad(&format!("holds {c:?} at byte {at}, which a URI cannot"));
        }
    }
    Ok(())
}

fn check_name(name: &str, what: &str) -> Result<(), XmlError> {
    if name.len() > MAX_NAME_BYTES {
        return Err(XmlError::over_limit(format!(
            "{what} name is {} bytes, more than the limit of {MAX_NAME_BYTES} bytes",
            name.len()
        )));
    }
    if !is_name(name) {
        return Err(XmlError::not_well_formed(format!("{what} name '{}' is not an XML name", name.escape_debug())));
    }
    Ok(())
}

fn check_attribute_count(element: &str, count: usize) -> Result<(), XmlError> {
    if count > MAX_ATTRIBUTES {
        return Err(XmlError::over_limit(format!(
            "element <{element}> has more than the limit of {MAX_ATTRIBUTES} attributes"
        )));
    }
    Ok(())
}

fn check_depth(depth: usize) -> Result<(), XmlError> {
    if depth > MAX_DEPTH {
        return Err(XmlError::over_limit(format!("elements are nested deeper than the limit of {MAX_DEPTH} levels")));
    }
    Ok(())
}

fn check_element_count(count: usize) -> Result<(), XmlError> {
    if count > MAX_ELEMENTS {
        return Err(XmlError::over_limit(format!("document has more than the limit of {MAX_ELEMENTS} elements")));
    }
    Ok(())
}

fn check_size(bytes: usize) -> Result<(), XmlError> {
    if bytes > MAX_DOCUMENT_BYTES {
        return Err(XmlError::over_limit(format!(
            "document is {bytes} bytes, more than the limit of {MAX_DOCUMENT_BYTES} bytes"
        )));
    }
    Ok(())
}

/// Prefixes a parse error with where it was found.
fn at(position: u64) -> impl Fn(XmlError) -> XmlError {
    move |e| XmlError { kind: e.kind, message: format!("at byte {position}: {}", e.message) }
}

fn start_element(start: &BytesStart) -> Result<Element, XmlError> {
    let bad = XmlError::not_well_formed;
    let name = std::str::from_utf8(start.name().as_ref())
        .map_err(|_| bad("element name is not UTF-8".into()))?
        .to_string();
    check_name(&name, "element")?;
    let mut attrs = Vec::new();
    // A set rather than quick-xml's own duplicate check, which compares every pair.
    let mut seen = HashSet::new();
    for attr in start.attributes().with_checks(false) {
        check_attribute_count(&name, attrs.len() + 1)?;
        let attr = attr.map_err(|e| bad(format!("malformed attribute in <{name}>: {e}")))?;
        let key = std::str::from_utf8(attr.key.0)
            .map_err(|_| bad(format!("attribute name in <{name}> is not UTF-8")))?;
        check_name(key, "attribute")?;
        if !seen.insert(key) {
            return Err(bad(format!("attribute '{key}' appears twice in <{name}>")));
        }
        let value = attr
            .unescape_value()
            .map_err(|e| bad(format!("attribute '{key}' of <{name}>: {e}")))?;
        check_chars(&value, "value").map_err(|m| bad(format!("attribute '{key}' of <{name}>: {m}")))?;
        attrs.push((key.to_string(), value.into_owned()));
    }
    Ok(Element { name, attrs, children: Vec::new() })
}

/// Parses a document with exactly one root element, within the limits above. Blank text
/// between elements, comments, processing instructions, the XML declaration and the document
/// type declaration are dropped; entities other than the five predefined ones are
/// refused (none is ever expanded).
pub fn parse(text: &str) -> Result<Element, XmlError> {
    check_size(text.len())?;
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut elements = 0;
    let mut first_event = true;
    let mut seen_doctype = false;
    loop {
        let position = reader.buffer_position();
        let bad = |message: String| XmlError::not_well_formed(format!("at byte {position}: {message}"));
        let event = reader.read_event().map_err(|e| {
            XmlError::not_well_formed(format!("at byte {}: {e}", reader.error_position()))
        })?;
        let mut finished: Option<Element> = None;
        match event {
            Event::Start(ref start) | Event::Empty(ref start) => {
                if root.is_some() {
                    return Err(bad("content after the root element".into()));
                }
                elements += 1;
                check_element_count(elements).map_err(at(position))?;
                check_depth(stack.len() + 1).map_err(at(position))?;
                let element = start_element(start).map_err(at(position))?;
                if matches!(event, Event::Start(_)) {
                    stack.push(element);
                } else {
                    finished = Some(element);
                }
            }
            Event::End(_) => {
                finished = Some(stack.pop().ok_or_else(|| bad("unexpected end tag".into()))?);
            }
            Event::Text(t) => {
                let s = t.unescape().map_err(|e| bad(e.to_string()))?;
                check_chars(&s, "text").map_err(bad)?;
                match stack.last_mut() {
                    Some(parent) if !s.is_empty() => parent.children.push(Node::Text(s.into_owned())),
                    None if !s.trim().is_empty() => return Err(bad("text outside the root element".into())),
                    _ => {}
                }
            }
            Event::CData(c) => {
                let s = std::str::from_utf8(&c).map_err(|_| bad("CDATA is not UTF-8".into()))?;
                check_chars(s, "CDATA section").map_err(bad)?;
                let parent = stack.last_mut().ok_or_else(|| bad("CDATA outside the root element".into()))?;
                if !s.is_empty() {
                    parent.children.push(Node::Text(s.to_string()));
                }
            }
            Event::Eof => {
                if let Some(open) = stack.last() {
                    return Err(bad(format!("premature end of data: element <{}> is not closed", open.name)));
                }
                return root.ok_or_else(|| bad("document is empty".into()));
            }
            Event::Decl(_) if !first_event => return Err(bad("XML declaration allowed only at the start".into())),
            Event::DocType(_) if seen_doctype || root.is_some() || !stack.is_empty() => {
                return Err(bad("document type declaration allowed only once, before the root element".into()))
            }
            Event::DocType(_) => seen_doctype = true,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
        first_event = false;
        if let Some(mut element) = finished {
            drop_layout(&mut element);
            match stack.last_mut() {
                Some(parent) => parent.children.push(Node::Element(element)),
                None => root = Some(element),
            }
        }
    }
}

/// Drops the blank text between the child elements of a finished element: it is layout, and
/// writing indents anew. A leaf's text is content and stays, blank or not.
fn drop_layout(element: &mut Element) {
    if element.children.iter().any(|n| matches!(n, Node::Element(_))) {
        element.children.retain(|n| !matches!(n, Node::Text(t) if t.trim().is_empty()));
    }
}

fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

impl Element {
    pub fn new(name: impl Into<String>) -> Self {
        Element { name: name.into(), attrs: Vec::new(), children: Vec::new() }
    }

    pub fn with_text(name: impl Into<String>, text: impl Into<String>) -> Self {
        let mut e = Element::new(name);
        e.children.push(Node::Text(text.into()));
        e
    }

    pub fn attr(&self, key: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    pub fn set_attr(&mut self, key: &str, value: impl Into<String>) {
        let value = value.into();
        match self.attrs.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => *v = value,
            None => self.attrs.push((key.to_string(), value)),
        }
    }

    pub fn remove_attr(&mut self, key: &str) {
        self.attrs.retain(|(k, _)| k != key);
    }

    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    pub fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.name == name)
    }

    pub fn child_mut(&mut self, name: &str) -> Option<&mut Element> {
        self.children.iter_mut().find_map(|n| match n {
            Node::Element(e) if e.name == name => Some(e),
            _ => None,
        })
    }

    /// The concatenated text directly inside this element, trimmed.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for n in &self.children {
            if let Node::Text(t) = n {
                s.push_str(t);
            }
        }
        s.trim().to_string()
    }

    pub fn set_text(&mut self, text: impl Into<String>) {
        self.children.retain(|n| matches!(n, Node::Element(_)));
        self.children.insert(0, Node::Text(text.into()));
    }

    /// Position of the first child element named `name`, counted among all children.
    pub fn child_index(&self, name: &str) -> Option<usize> {
        self.children.iter().position(|n| matches!(n, Node::Element(e) if e.name == name))
    }

    pub fn remove_children(&mut self, name: &str) {
        self.children.retain(|n| !matches!(n, Node::Element(e) if e.name == name));
    }

    /// Replaces the first child element named `element.name`, or inserts it after the last of
    /// the children named in `after` that exist (at the start when none does).
    pub fn put_child(&mut self, element: Element, after: &[&str]) {
        if let Some(i) = self.child_index(&element.name) {
            self.children[i] = Node::Element(element);
            return;
        }
        let at = self
            .children
            .iter()
            .rposition(|n| matches!(n, Node::Element(e) if after.contains(&e.name.as_str())))
            .map_or(0, |i| i + 1);
        self.children.insert(at, Node::Element(element));
    }

    /// Checks that the tree, with `root_attrs` on this element instead of its own, writes a
    /// document `parse` accepts, but for its size (which only writing it tells): valid names,
    /// characters XML allows, no attribute twice, within the limits.
    pub fn check_writable(&self, root_attrs: &[(String, String)]) -> Result<(), XmlError> {
        let mut elements = 0;
        let mut pending = vec![(self, root_attrs, 1)];
        while let Some((element, attrs, depth)) = pending.pop() {
            elements += 1;
            check_element_count(elements)?;
            check_depth(depth)?;
            check_name(&element.name, "element")?;
            check_attribute_count(&element.name, attrs.len())?;
            let mut seen = HashSet::new();
            for (key, value) in attrs {
                check_name(key, "attribute")?;
                if !seen.insert(key.as_str()) {
                    return Err(XmlError::not_well_formed(format!("attribute '{key}' appears twice in <{}>", element.name)));
                }
                check_chars(value, "value").map_err(|m| {
                    XmlError::not_well_formed(format!("attribute '{key}' of <{}>: {m}", element.name))
                })?;
            }
            for child in &element.children {
                match child {
                    Node::Element(e) => pending.push((e, e.attrs.as_slice(), depth + 1)),
                    Node::Text(t) => check_chars(t, "text")
                        .map_err(|m| XmlError::not_well_formed(format!("<{}>: {m}", element.name)))?,
                }
            }
        }
        Ok(())
    }

    /// The document, indented as libvirt writes it, ending with a newline. An element holding
    /// text is written as it is, without indenting its content, which would change the text.
    pub fn to_xml(&self) -> String {
        self.to_xml_with_attrs(&self.attrs)
    }

    /// Like `to_xml`, with `attrs` on the root element instead of its own.
    pub fn to_xml_with_attrs(&self, attrs: &[(String, String)]) -> String {
        let mut out = String::with_capacity(512);
        // The elements whose children are being written: an explicit stack, as deep as the tree.
        let mut open: Vec<OpenElement> = Vec::new();
        self.write_start(&mut out, attrs, Some(0), &mut open);
        while let Some(top) = open.last_mut() {
            let (element, children_at) = (top.element, top.children_at);
            let child = element.children.get(top.next);
            top.next += 1;
            match child {
                Some(Node::Element(e)) => e.write_start(&mut out, &e.attrs, children_at, &mut open),
                Some(Node::Text(t)) => escape_into(&mut out, t, false),
                None => {
                    let at = top.at;
                    if let (Some(depth), Some(_)) = (at, children_at) {
                        indent(&mut out, depth);
                    }
                    out.push_str("</");
                    out.push_str(&element.name);
                    out.push('>');
                    if at.is_some() {
                        out.push('\n');
                    }
                    open.pop();
                }
            }
        }
        out
    }

    /// Writes the start tag, on a line of its own at indentation `at` or inline (None), and
    /// leaves the element on `open` for its children and end tag unless it is empty.
    fn write_start<'a>(&'a self, out: &mut String, attrs: &[(String, String)], at: Option<usize>, open: &mut Vec<OpenElement<'a>>) {
        if let Some(depth) = at {
            indent(out, depth);
        }
        out.push('<');
        out.push_str(&self.name);
        for (k, v) in attrs {
            out.push(' ');
            out.push_str(k);
            out.push_str("='");
            escape_into(out, v, true);
            out.push('\'');
        }
        if self.children.is_empty() {
            out.push_str(if at.is_some() { "/>\n" } else { "/>" });
            return;
        }
        out.push('>');
        let holds_text = self.children.iter().any(|n| matches!(n, Node::Text(_)));
        let children_at = match at {
            Some(depth) if !holds_text => {
                out.push('\n');
                Some(depth + 1)
            }
            _ => None,
        };
        open.push(OpenElement { element: self, next: 0, at, children_at });
    }
}

/// An element being written: where its tags go and its children go (a line of their own at
/// that indentation, or inline), and its next child.
struct OpenElement<'a> {
    element: &'a Element,
    next: usize,
    at: Option<usize>,
    children_at: Option<usize>,
}

/// The length of `s` once escaped as an attribute value.
pub fn escaped_attribute_len(s: &str) -> usize {
    let mut out = String::new();
    escape_into(&mut out, s, true);
    out.len()
}

/// Escapes markup characters, and the whitespace a parser would otherwise normalise (line
/// ends everywhere, tabs and newlines in attribute values), so that text reads back as it was.
fn escape_into(out: &mut String, s: &str, attribute: bool) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            '\'' if attribute => out.push_str("&apos;"),
            '"' if attribute => out.push_str("&quot;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            _ => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn nested(depth: usize) -> String {
        format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth))
    }

    fn limit_error(text: &str) -> String {
        match parse(text) {
            Err(e) if e.kind == XmlErrorKind::OverLimit => e.message,
            Err(e) => panic!("refused as not well-formed: {e}"),
            Ok(_) => panic!("accepted"),
        }
    }

    #[test]
    fn parses_and_writes_back() {
        let doc = "<?xml version='1.0'?><a x=\"1\" y='&lt;'><!-- c --><b>t &amp; u</b>\n  <c/></a>";
        let root = parse(doc).unwrap();
        assert_eq!(root.attr("y"), Some("<"));
        assert_eq!(root.child("b").unwrap().text(), "t & u");
        assert_eq!(root.to_xml(), "<a x='1' y='&lt;'>\n  <b>t &amp; u</b>\n  <c/>\n</a>\n");
        assert_eq!(parse(&root.to_xml()).unwrap().to_xml(), root.to_xml());
    }

    #[test]
    fn text_is_kept_as_it_is_and_writing_is_a_fixed_point() {
        let doc = "<a>\n <t>  </t> <c><![CDATA[ ]]></c><e><![CDATA[]]></e><m>x <![CDATA[<y>]]> z</m>\n\
                   <name>fuzz-mi<x><y/></x>\n n</name></a>";
        let once = parse(doc).unwrap().to_xml();
        assert_eq!(
            once,
            "<a>\n  <t>  </t>\n  <c> </c>\n  <e/>\n  <m>x &lt;y&gt; z</m>\n  <name>fuzz-mi<x><y/></x>\n n</name>\n</a>\n"
        );
        assert_eq!(parse(&once).unwrap().to_xml(), once);
    }

    #[test]
    fn refuses_what_is_not_well_formed() {
        for bad in [
            "",
            "<a>",
            "<a><b></a>",
            "<a></b>",
            "<a>x &y</a>",
            "<a b='1' <c/></a>",
            "<a b='1' b='2'/>",
            "<a/><b/>",
            "text<a/>",
            "<a/>text",
            "<a>b>c x='1'/>",
            "<a\"b/>",
            "<1a/>",
            "<a 1b='x'/>",
            "<a>\u{1}</a>",
            "<a>&#1;</a>",
            "<a>\u{b}</a>",
            "<a><![CDATA[\u{c}]]></a>",
            "<a b='&#xFFFE;'/>",
            "<a><![CDATA[\u{8}]]></a>",
            "<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>",
            "<a><!DOCTYPE a></a>",
            "<!DOCTYPE a><!DOCTYPE a><a/>",
            "<a/><?xml version='1.0'?>",
            " <?xml version='1.0'?><a/>",
        ] {
            let err = parse(bad).err().unwrap_or_else(|| panic!("accepted {bad:?}"));
            assert_eq!(err.kind, XmlErrorKind::NotWellFormed, "{bad:?}: {err}");
            assert!(!err.message.is_empty());
        }
    }

    #[test]
    fn names_follow_the_xml_productions() {
        assert!(is_name("a:b.c-d_1") && is_name("é") && is_name(":x"));
        assert!(!is_name("") && !is_name("-a") && !is_name("a>b") && !is_name("a b") && !is_name("a'"));
        assert!(is_ncname("app") && !is_ncname("a:b") && !is_ncname("a>b"));
    }

    #[test]
    fn depth_is_limited_without_recursion() {
        assert!(parse(&nested(MAX_DEPTH)).is_ok());
        assert!(limit_error(&nested(MAX_DEPTH + 1)).contains("256 levels"));
        // Far deeper than any stack: refused at once, and a tree at the limit drops and writes
        // without recursion (the old code overflowed here).
        let started = Instant::now();
        assert!(limit_error(&nested(500_000)).contains("nested deeper"));
        assert!(started.elapsed() < Duration::from_secs(1));
        let mut deep = Element::new("a");
        for _ in 0..100_000 {
            let mut parent = Element::new("a");
            parent.children.push(Node::Element(deep));
            deep = parent;
        }
        assert!(deep.check_writable(&[]).unwrap_err().message.contains("256 levels"));
        drop(deep);
        let at_limit = parse(&nested(MAX_DEPTH)).unwrap();
        assert_eq!(parse(&at_limit.to_xml()).unwrap().to_xml(), at_limit.to_xml());
    }

    #[test]
    fn size_elements_attributes_and_names_are_limited() {
        let big = format!("<a>{}</a>", "x".repeat(MAX_DOCUMENT_BYTES));
        assert!(limit_error(&big).contains(&format!("limit of {MAX_DOCUMENT_BYTES} bytes")));
        let many = format!("<a>{}</a>", "<b/>".repeat(MAX_ELEMENTS));
        assert!(limit_error(&many).contains(&format!("limit of {MAX_ELEMENTS} elements")));
        assert!(parse(&format!("<a>{}</a>", "<b/>".repeat(MAX_ELEMENTS - 1))).is_ok());

        let attrs = |n: usize| (0..n).map(|i| format!(" a{i}='{i}'")).collect::<String>();
        assert_eq!(parse(&format!("<e{}/>", attrs(MAX_ATTRIBUTES))).unwrap().attrs.len(), MAX_ATTRIBUTES);
        let started = Instant::now();
        assert!(limit_error(&format!("<e{}/>", attrs(100_000))).contains(&format!("limit of {MAX_ATTRIBUTES} attributes")));
        assert!(started.elapsed() < Duration::from_secs(1));

        let long = "n".repeat(MAX_NAME_BYTES + 1);
        assert!(limit_error(&format!("<{long}/>")).contains(&format!("limit of {MAX_NAME_BYTES} bytes")));
        assert!(limit_error(&format!("<a {long}='1'/>")).contains("attribute name"));
        assert!(parse(&format!("<{}/>", &long[1..])).is_ok());
    }

    #[test]
    fn duplicate_attributes_are_found_in_linear_time() {
        let mut text = String::from("<e");
        for i in 0..MAX_ATTRIBUTES - 1 {
            text.push_str(&format!(" a{i}='x'"));
        }
        text.push_str(" a0='y'/>");
        assert!(parse(&text).err().unwrap().message.contains("'a0' appears twice"));
    }

    #[test]
    fn writing_escapes_what_would_not_read_back() {
        let mut e = Element::with_text("t", "a < b & ]]> c\r");
        e.set_attr("v", "it's \"x\" <&>\n\tz");
        let text = e.to_xml();
        assert_eq!(text, "<t v='it&apos;s &quot;x&quot; &lt;&amp;&gt;&#10;&#9;z'>a &lt; b &amp; ]]&gt; c&#13;</t>\n");
        let back = parse(&text).unwrap();
        assert_eq!(back.attr("v"), e.attr("v"));
        assert_eq!(back.children.len(), 1);
        assert!(matches!(&back.children[0], Node::Text(t) if t == "a < b & ]]> c\r"));
    }

    #[test]
    fn namespace_uris_must_be_absolute_and_clean() {
        for good in ["http://libvirt.org/schemas/domain/qemu/1.0", "urn:uuid:1234", "http://u/a%20b?q=1&r='2'#f", "http://ü.example/"] {
            assert!(check_namespace_uri(good).is_ok(), "{good}");
        }
        for bad in ["", "relative/path", ":x", "1a:b", "http://u/\"", "http://u/<", "http://u/>", "http://u/ x", "http://u/\n", "http://u/%4", "http://u/{x}", "http://u/\u{7f}"] {
            assert!(check_namespace_uri(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn check_writable_refuses_what_would_not_parse() {
        let bad_name = Element::new("a>b");
        assert_eq!(bad_name.check_writable(&[]).unwrap_err().kind, XmlErrorKind::NotWellFormed);
        let bad_text = Element::with_text("a", "\u{1}");
        assert!(bad_text.check_writable(&[]).is_err());
        let twice = [("x".to_string(), "1".to_string()), ("x".to_string(), "2".to_string())];
        assert!(Element::new("a").check_writable(&twice).is_err());
        assert!(parse("<a x='1'><b>t</b></a>").unwrap().check_writable(&[]).is_ok());
    }

    #[test]
    fn put_child_replaces_or_inserts_in_place() {
        let mut root = parse("<d><name>n</name><memory>1</memory></d>").unwrap();
        root.put_child(Element::with_text("uuid", "u"), &["name"]);
        root.put_child(Element::with_text("memory", "2"), &[]);
        let names: Vec<_> = root.elements().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["name", "uuid", "memory"]);
        assert_eq!(root.child("memory").unwrap().text(), "2");
    }
}
