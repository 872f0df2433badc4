//! Typed client and server handles. The generated `client(...)`/`server(...)`
//! constructors build them with exactly the credentials the description needs; the
//! negotiation engine and the transports drive them (see the engine and transport work).

use crate::credentials::{ClientCredentials, ServerCredentials};
use crate::Description;
use std::marker::PhantomData;

/// A type annotated with `#[wsbind::binding(...)]`: it carries a checked description.
pub trait Binding: 'static {
    /// The annotated type's name.
    const NAME: &'static str;
    /// The typed description the compiler generated.
    fn description() -> &'static Description;
}

/// A client of binding `B`.
#[derive(Debug)]
pub struct Client<B: Binding> {
    endpoint: String,
    credentials: ClientCredentials,
    binding: PhantomData<fn() -> B>,
}

impl<B: Binding> Client<B> {
    /// Used by the generated constructor, which checks the credentials by type.
    pub fn new(endpoint: String, credentials: ClientCredentials) -> Self {
        Client {
            endpoint,
            credentials,
            binding: PhantomData,
        }
    }
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }
    pub fn credentials(&self) -> &ClientCredentials {
        &self.credentials
    }
    pub fn description(&self) -> &'static Description {
        B::description()
    }
}

/// A server of binding `B`.
#[derive(Debug)]
pub struct Server<B: Binding> {
    credentials: ServerCredentials,
    binding: PhantomData<fn() -> B>,
}

impl<B: Binding> Server<B> {
    /// Used by the generated constructor, which checks the credentials by type.
    pub fn new(credentials: ServerCredentials) -> Self {
        Server {
            credentials,
            binding: PhantomData,
        }
    }
    pub fn credentials(&self) -> &ServerCredentials {
        &self.credentials
    }
    pub fn description(&self) -> &'static Description {
        B::description()
    }
}
