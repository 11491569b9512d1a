use serde::{Deserialize, Serialize};

/// The JSON API's operations as the API page lists them, made from the OpenAPI document at
/// start (the server provides it to the pages; the page renders on the server only).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiDocs {
    pub operations: Vec<ApiOperationDoc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiOperationDoc {
    pub tag: String,
    pub method: String,
    /// `/api/v1/…`.
    pub path: String,
    pub summary: String,
    /// (name, where: path or query, required, description).
    pub parameters: Vec<(String, String, bool, String)>,
    pub has_body: bool,
}
