//! The S3 implementation of the object store (also what moto serves in tests).

use aws_config::SdkConfig;
use aws_sdk_s3::Client;
use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use bytes::Bytes;
use std::path::Path;
use tokio::io::AsyncWriteExt;

use super::{PutMode, StoreError, StoredObject};

pub struct S3Store {
    client: Client,
    bucket: String,
    prefix: String,
}

impl S3Store {
    pub fn new(config: &SdkConfig, bucket: &str, prefix: &str) -> Self {
        // Local stand-ins (moto) serve buckets by path, not by virtual host.
        let path_style = config.endpoint_url().is_some();
        let s3 = aws_sdk_s3::config::Builder::from(config)
            .force_path_style(path_style)
            .build();
        Self {
            client: Client::from_conf(s3),
            bucket: bucket.to_owned(),
            prefix: prefix.trim_matches('/').to_owned(),
        }
    }

    fn full_key(&self, key: &str) -> String {
        if self.prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{}/{key}", self.prefix)
        }
    }

    pub fn location(&self, key: &str) -> String {
        format!("s3://{}/{}", self.bucket, self.full_key(key))
    }

    pub async fn put(&self, key: &str, body: Bytes, mode: PutMode) -> Result<String, StoreError> {
        let mut req = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(self.full_key(key))
            .body(ByteStream::from(body));
        req = match mode {
            PutMode::Overwrite => req,
            PutMode::CreateOnly => req.if_none_match("*"),
            PutMode::ReplaceIfMatch(etag) => req.if_match(etag),
        };
        let out = req.send().await.map_err(|e| self.error(key, e))?;
        Ok(out.e_tag().unwrap_or_default().to_owned())
    }

    pub async fn get(&self, key: &str) -> Result<Option<StoredObject>, StoreError> {
        let out = match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(self.full_key(key))
            .send()
            .await
        {
            Ok(out) => out,
            Err(SdkError::ServiceError(e)) if e.err().is_no_such_key() => return Ok(None),
            Err(e) => return Err(self.error(key, e)),
        };
        let etag = out.e_tag().unwrap_or_default().to_owned();
        let body = out.body.collect().await.map_err(|e| StoreError::Io {
            key: self.location(key),
            detail: e.to_string(),
        })?;
        Ok(Some(StoredObject {
            body: body.into_bytes(),
            etag,
        }))
    }

    pub async fn download(&self, key: &str, to: &Path) -> Result<bool, StoreError> {
        let out = match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(self.full_key(key))
            .send()
            .await
        {
            Ok(out) => out,
            Err(SdkError::ServiceError(e)) if e.err().is_no_such_key() => return Ok(false),
            Err(e) => return Err(self.error(key, e)),
        };
        let io = |detail: String| StoreError::Io {
            key: self.location(key),
            detail,
        };
        let mut file = tokio::fs::File::create(to)
            .await
            .map_err(|e| io(format!("{}: {e}", to.display())))?;
        let mut body = out.body;
        while let Some(chunk) = body.try_next().await.map_err(|e| io(e.to_string()))? {
            file.write_all(&chunk)
                .await
                .map_err(|e| io(format!("{}: {e}", to.display())))?;
        }
        file.flush().await.map_err(|e| io(e.to_string()))?;
        Ok(true)
    }

    pub async fn list(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        let strip = self.full_key("");
        let mut pages = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(self.full_key(prefix))
            .into_paginator()
            .send();
        let mut keys = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| self.error(prefix, e))?;
            keys.extend(
                page.contents()
                    .iter()
                    .filter_map(|o| o.key())
                    .map(|k| k.strip_prefix(&strip).unwrap_or(k).to_owned()),
            );
        }
        Ok(keys)
    }

    pub async fn start_upload(&self, key: &str) -> Result<S3Upload, StoreError> {
        let full_key = self.full_key(key);
        let out = self
            .client
            .create_multipart_upload()
            .bucket(&self.bucket)
            .key(&full_key)
            .send()
            .await
            .map_err(|e| self.error(key, e))?;
        Ok(S3Upload {
            client: self.client.clone(),
            bucket: self.bucket.clone(),
            location: self.location(key),
            key: full_key,
            upload_id: out.upload_id().unwrap_or_default().to_owned(),
            parts: Vec::new(),
        })
    }

    fn error<E>(&self, key: &str, e: SdkError<E, HttpResponse>) -> StoreError
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let code = e.code().map(str::to_owned);
        let status = e.raw_response().map(|r| r.status().as_u16());
        if status == Some(412)
            || status == Some(409)
            || matches!(
                code.as_deref(),
                Some("PreconditionFailed" | "ConditionalRequestConflict")
            )
        {
            return StoreError::Conflict {
                key: self.location(key),
            };
        }
        StoreError::Io {
            key: self.location(key),
            detail: DisplayErrorContext(&e).to_string(),
        }
    }
}

/// A multipart upload: chunks become parts; `complete` makes the object appear at once.
pub struct S3Upload {
    client: Client,
    bucket: String,
    key: String,
    location: String,
    upload_id: String,
    parts: Vec<CompletedPart>,
}

impl S3Upload {
    pub async fn put_chunk(&mut self, chunk: Bytes) -> Result<(), StoreError> {
        let number = self.parts.len() as i32 + 1;
        let out = self
            .client
            .upload_part()
            .bucket(&self.bucket)
            .key(&self.key)
            .upload_id(&self.upload_id)
            .part_number(number)
            .body(ByteStream::from(chunk))
            .send()
            .await
            .map_err(|e| self.io(e))?;
        self.parts.push(
            CompletedPart::builder()
                .part_number(number)
                .set_e_tag(out.e_tag().map(str::to_owned))
                .build(),
        );
        Ok(())
    }

    pub async fn complete(self) -> Result<(), StoreError> {
        self.client
            .complete_multipart_upload()
            .bucket(&self.bucket)
            .key(&self.key)
            .upload_id(&self.upload_id)
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .set_parts(Some(self.parts.clone()))
                    .build(),
            )
            .send()
            .await
            .map_err(|e| self.io(e))?;
        Ok(())
    }

    /// Best effort: the bucket's lifecycle rule removes what an abort leaves behind.
    pub async fn abort(self) {
        let _ = self
            .client
            .abort_multipart_upload()
            .bucket(&self.bucket)
            .key(&self.key)
            .upload_id(&self.upload_id)
            .send()
            .await;
    }

    fn io<E: std::error::Error + 'static>(&self, e: SdkError<E, HttpResponse>) -> StoreError {
        StoreError::Io {
            key: self.location.clone(),
            detail: DisplayErrorContext(&e).to_string(),
        }
    }
}
