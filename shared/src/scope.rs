//! What every resource run of one tenant shares, snapshots and System Log alike: its Okta
//! client, the store and output formats, which tenant and run, its personal-data controls,
//! and its time.

use crate::budget::TenantTime;
use crate::layout::RunId;
use crate::okta::OktaClient;
use crate::pii::PiiPolicy;
use crate::sink::Formats;
use crate::store::ObjectStore;
use crate::tenant::TenantId;

/// One tenant's run context.
pub struct Scope<'a> {
    pub client: &'a OktaClient,
    pub store: &'a ObjectStore,
    pub tenant: &'a TenantId,
    pub run: &'a RunId,
    /// The tenant's personal data controls, applied to every record before it is written.
    pub pii: Option<&'a PiiPolicy>,
    /// The part formats written.
    pub formats: Formats,
    pub time: TenantTime,
}
