//! embassy-net convenience layer (in progress).
