//! virtevent's extensions to libvirt's numbering, from fixed bases that a future libvirt will
//! not reach (SPEC "Numbering of extensions"): event IDs from 256, error codes from 1000,
//! flags on existing calls from bit 24.
#![allow(non_camel_case_types)]

use super::consts::{virDomainEventID, virDomainXMLFlags, virErrorNumber};
use std::ffi::c_int;

/// virtevent extension: first extension domain event ID.
pub const VIR_DOMAIN_EVENT_ID_EXT_FIRST: virDomainEventID = 256;
/// virtevent extension: a domain came into or went out of existence
/// (virConnectDomainEventExistenceCallback, event name "existence").
pub const VIR_DOMAIN_EVENT_ID_EXISTENCE: virDomainEventID = 256;
/// virtevent extension: delivered only to a watch that asked for bookmarks: nothing else
/// happened, and the backend is at the event's resourceVersion (event name "bookmark").
pub const VIR_DOMAIN_EVENT_ID_BOOKMARK: virDomainEventID = 257;
/// virtevent extension: the last event a watch receives when its undelivered backlog outgrew
/// the event history; the application relists (event name "expired").
pub const VIR_DOMAIN_EVENT_ID_EXPIRED: virDomainEventID = 258;
/// virtevent extension: a job changed state (virConnectDomainEventJobStateCallback, event
/// name "job-state"); see virDomainJobList.
pub const VIR_DOMAIN_EVENT_ID_JOB_STATE: virDomainEventID = 259;
/// virtevent extension: a user logged on to or off the guest, as its agent reports
/// (virConnectDomainEventGuestUserCallback, event name "guest-user").
pub const VIR_DOMAIN_EVENT_ID_GUEST_USER: virDomainEventID = 260;
/// virtevent extension: one past the last extension event ID (grows with new extensions).
pub const VIR_DOMAIN_EVENT_ID_EXT_LAST: virDomainEventID = 261;

/// virtevent extension: the `type` of an existence event.
pub type virDomainEventExistenceType = c_int;
/// virtevent extension: the first event ever delivered for this UUID.
pub const VIR_DOMAIN_EVENT_EXISTENCE_ADDED: virDomainEventExistenceType = 0;
/// virtevent extension: the last event ever delivered for this UUID.
pub const VIR_DOMAIN_EVENT_EXISTENCE_REMOVED: virDomainEventExistenceType = 1;
/// virtevent extension.
pub const VIR_DOMAIN_EVENT_EXISTENCE_LAST: virDomainEventExistenceType = 2;

/// virtevent extension: the `state` of a guest-user event.
pub type virDomainEventGuestUserState = c_int;
/// virtevent extension: the user logged on.
pub const VIR_DOMAIN_EVENT_GUEST_USER_LOGON: virDomainEventGuestUserState = 0;
/// virtevent extension: the user logged off.
pub const VIR_DOMAIN_EVENT_GUEST_USER_LOGOFF: virDomainEventGuestUserState = 1;
/// virtevent extension.
pub const VIR_DOMAIN_EVENT_GUEST_USER_LAST: virDomainEventGuestUserState = 2;

/// virtevent extension: on the `virDomainPtr` given to an event callback, virDomainGetXMLDesc
/// returns the domain's XML as of that event rather than the live XML.
pub const VIR_DOMAIN_XML_EVENT_SNAPSHOT: virDomainXMLFlags = 1 << 24;
/// virtevent extension: virDomainGetXMLDesc puts `resourceVersion='N'` on `<domain>`, the
/// revision of the domain's last change (of the event's, with VIR_DOMAIN_XML_EVENT_SNAPSHOT).
/// Defining XML that carries it is a compare-and-swap.
pub const VIR_DOMAIN_XML_RESOURCE_VERSION: virDomainXMLFlags = 1 << 25;

/// virtevent extension: a compare-and-swap define found the domain at another resource version.
pub const VIR_ERR_RESOURCE_VERSION_CONFLICT: virErrorNumber = 1000;
/// virtevent extension: the event history no longer reaches back to the requested version.
pub const VIR_ERR_RESOURCE_VERSION_EXPIRED: virErrorNumber = 1001;
/// virtevent extension: the domain has no job of that name.
pub const VIR_ERR_NO_DOMAIN_JOB: virErrorNumber = 1002;
