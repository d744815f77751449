//! STS over the Query protocol: `GetCallerIdentity` and `AssumeRole`.
//!
//! Clients POST a form (`Action=GetCallerIdentity&Version=2011-06-15`) and
//! read XML back. The caller is the principal the layer resolved; the
//! temporary credentials `AssumeRole` hands out are minted by the identity
//! layer's session issuer, and the same demo accepts them on its next
//! request without any database.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use http::{HeaderValue, Method, Request, Response, StatusCode};
use http_body::Body;
use http_body_util::{BodyExt as _, Either, Full, Limited};
use tower_sigv4::body::BoxError;
use tower_sigv4::identity::{Principal, RoleRegistry};
use tower_sigv4::response::{ErrorProtocol, ErrorReport, RequestId};

use super::s3::DemoBody;
use super::xml;

/// STS reads at most this much form body; its largest parameter (a session
/// policy) is a few KB.
const MAX_FORM_BODY: usize = 64 << 10;
const API_VERSION: &str = "2011-06-15";

/// The STS endpoint.
pub struct Sts {
    roles: Arc<RoleRegistry>,
}

struct StsError(ErrorReport);

impl StsError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        StsError(ErrorReport::new(status, code, message.into()))
    }

    fn validation(message: impl Into<String>) -> Self {
        StsError::new(StatusCode::BAD_REQUEST, "ValidationError", message)
    }
}

impl Sts {
    /// STS deciding `AssumeRole` with `roles`.
    pub fn new(roles: Arc<RoleRegistry>) -> Self {
        Sts { roles }
    }

    /// Serves one STS request from `principal`.
    pub async fn handle<B>(
        &self,
        principal: &Principal,
        request_id: &RequestId,
        req: Request<B>,
    ) -> Response<DemoBody>
    where
        B: Body<Data = Bytes>,
        B::Error: Into<BoxError>,
    {
        match self.route(principal, request_id, req).await {
            Ok(document) => {
                let mut response =
                    Response::new(Either::Left(Full::new(Bytes::from(document.clone()))));
                let headers = response.headers_mut();
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/xml"));
                headers.insert(CONTENT_LENGTH, HeaderValue::from(document.len()));
                headers.insert(
                    "x-amzn-requestid",
                    HeaderValue::from_str(request_id.as_str()).expect("request ids are ASCII"),
                );
                headers.insert(
                    http::header::DATE,
                    tower_sigv4::response::http_date(SystemTime::now()),
                );
                response
            }
            Err(err) => err
                .0
                .render_with_id(ErrorProtocol::STS, SystemTime::now(), request_id)
                .map(Either::Right),
        }
    }

    async fn route<B>(
        &self,
        principal: &Principal,
        request_id: &RequestId,
        req: Request<B>,
    ) -> Result<String, StsError>
    where
        B: Body<Data = Bytes>,
        B::Error: Into<BoxError>,
    {
        // The Query protocol takes its parameters from the query string and,
        // for POST, from the form body.
        let mut params = parse_form(req.uri().query().unwrap_or("").as_bytes())?;
        if req.method() == Method::POST {
            let body = Limited::new(req.into_body(), MAX_FORM_BODY)
                .collect()
                .await
                .map_err(|_| {
                    StsError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "RequestEntityTooLarge",
                        "Request body is too large or could not be read",
                    )
                })?
                .to_bytes();
            params.extend(parse_form(&body)?);
        } else if req.method() != Method::GET {
            return Err(StsError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "InvalidAction",
                "STS accepts GET and POST requests only",
            ));
        }
        let get = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let Some(action) = get("Action") else {
            return Err(StsError::new(
                StatusCode::BAD_REQUEST,
                "MissingAction",
                "Missing Action",
            ));
        };
        if let Some(version) = get("Version") {
            if version != API_VERSION {
                return Err(StsError::new(
                    StatusCode::BAD_REQUEST,
                    "InvalidAction",
                    format!("Could not find operation {action} for version {version}"),
                ));
            }
        }
        let metadata = xml::ResponseMetadata {
            request_id: request_id.as_str().to_owned(),
        };
        match action {
            "GetCallerIdentity" => Ok(xml::to_document(
                "GetCallerIdentityResponse",
                &xml::GetCallerIdentityResponse {
                    xmlns: xml::STS_XMLNS,
                    result: xml::GetCallerIdentityResult {
                        arn: principal.arn().to_owned(),
                        user_id: principal.user_id().to_owned(),
                        account: principal.account().as_str().to_owned(),
                    },
                    metadata,
                },
            )),
            "AssumeRole" => {
                let role_arn = get("RoleArn").ok_or_else(|| missing("roleArn"))?;
                let session_name =
                    get("RoleSessionName").ok_or_else(|| missing("roleSessionName"))?;
                let duration = get("DurationSeconds")
                    .map(|text| {
                        text.parse::<u64>().map(Duration::from_secs).map_err(|_| {
                            StsError::validation(format!(
                                "1 validation error detected: Value '{text}' at \
                                 'durationSeconds' failed to satisfy constraint: Member \
                                 must be a number"
                            ))
                        })
                    })
                    .transpose()?;
                let issued = self
                    .roles
                    .assume_role(principal, role_arn, session_name, duration)
                    .map_err(|e| {
                        StsError(ErrorReport::new(
                            StatusCode::from_u16(e.status_code())
                                .unwrap_or(StatusCode::BAD_REQUEST),
                            e.aws_code(),
                            e.message().to_owned(),
                        ))
                    })?;
                let session = issued.principal();
                let (assumed_role_id, arn) = match &**session {
                    Principal::AssumedRole(role) => {
                        (role.assumed_role_id().to_owned(), role.arn().to_owned())
                    }
                    other => (other.user_id().to_owned(), other.arn().to_owned()),
                };
                Ok(xml::to_document(
                    "AssumeRoleResponse",
                    &xml::AssumeRoleResponse {
                        xmlns: xml::STS_XMLNS,
                        result: xml::AssumeRoleResult {
                            assumed_role_user: xml::AssumedRoleUser {
                                assumed_role_id,
                                arn,
                            },
                            credentials: xml::Credentials {
                                access_key_id: issued.access_key_id().to_owned(),
                                secret_access_key: issued
                                    .secret_access_key()
                                    .expose_str()
                                    .unwrap_or_default()
                                    .to_owned(),
                                session_token: issued.session_token().to_owned(),
                                expiration: iso8601(issued.expiration()),
                            },
                        },
                        metadata,
                    },
                ))
            }
            other => Err(StsError::new(
                StatusCode::BAD_REQUEST,
                "InvalidAction",
                format!("Could not find operation {other} for version {API_VERSION}"),
            )),
        }
    }
}

fn missing(member: &str) -> StsError {
    StsError::validation(format!(
        "1 validation error detected: Value null at '{member}' failed to satisfy \
         constraint: Member must not be null"
    ))
}

fn parse_form(bytes: &[u8]) -> Result<Vec<(String, String)>, StsError> {
    serde_urlencoded::from_bytes(bytes).map_err(|_| {
        StsError::new(
            StatusCode::BAD_REQUEST,
            "MalformedQueryString",
            "The form body or query string could not be parsed",
        )
    })
}

/// `2011-07-15T23:28:33Z`, as STS writes `Expiration`.
fn iso8601(at: SystemTime) -> String {
    use time::macros::format_description;
    time::OffsetDateTime::from(at)
        .format(format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
        ))
        .expect("every SystemTime after 1970 formats")
}
