//! Where the use cases meet the wire: every application result becomes a
//! chatchit-protocol type here ([`ToWire`]), every protocol input an
//! application input ([`IntoInput`]), and the realtime commands are read and
//! answered in JSON ([`Json`]). A protocol change is a change here, never in
//! the domain or the use cases.

mod commands;
mod inputs;
mod outputs;
mod server_events;

pub use commands::{Json, code, decode, error_ack};
pub use outputs::account;

/// A use-case value in its wire form.
pub trait ToWire {
    /// The protocol type.
    type Wire;

    /// Converts.
    fn to_wire(self) -> Self::Wire;
}

/// A protocol input as the use case takes it.
pub trait IntoInput {
    /// The application type.
    type Input;

    /// Converts.
    fn into_input(self) -> Self::Input;
}

impl<T: ToWire> ToWire for Vec<T> {
    type Wire = Vec<T::Wire>;

    fn to_wire(self) -> Self::Wire {
        self.into_iter().map(ToWire::to_wire).collect()
    }
}

impl<T: ToWire> ToWire for Option<T> {
    type Wire = Option<T::Wire>;

    fn to_wire(self) -> Self::Wire {
        self.map(ToWire::to_wire)
    }
}

impl<T: ToWire> ToWire for Box<T> {
    type Wire = T::Wire;

    fn to_wire(self) -> Self::Wire {
        (*self).to_wire()
    }
}
