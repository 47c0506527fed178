//! TODO(helper): line index and position encodings.
