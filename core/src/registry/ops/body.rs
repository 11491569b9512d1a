use crate::registry::error::RegistryError;
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;

/// Reads a body, refusing one larger than `cap` bytes (a registry may be hostile or broken;
/// distribution itself caps manifests at 4 MiB).
pub async fn read_capped(
    registry: &str,
    response: reqwest::Response,
    cap: usize,
    what: &str,
) -> Result<Bytes, RegistryError> {
    let too_large = || RegistryError::Protocol {
        registry: registry.to_string(),
        reason: format!("{what} is larger than {cap} bytes"),
    };
    if response
        .content_length()
        .is_some_and(|length| length > cap as u64)
    {
        return Err(too_large());
    }
    let mut body = BytesMut::new();
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| RegistryError::Protocol {
            registry: registry.to_string(),
            reason: format!("reading {what}: {e}"),
        })?;
        if body.len() + chunk.len() > cap {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Parses JSON, naming what could not be parsed.
pub fn parse_json<T: serde::de::DeserializeOwned>(
    registry: &str,
    bytes: &[u8],
    what: &str,
) -> Result<T, RegistryError> {
    serde_json::from_slice(bytes).map_err(|e| RegistryError::Protocol {
        registry: registry.to_string(),
        reason: format!("{what} is not valid JSON of the expected shape: {e}"),
    })
}
