//! Arrow string arrays read in place through the Arrow C data interface and its PyCapsule
//! protocol (`__arrow_c_array__`, `__arrow_c_stream__`): no copy of the strings, and no
//! dependency on pyarrow (any producer works: pyarrow, polars, DuckDB, ...).
//!
//! The structs are the ABI of <https://arrow.apache.org/docs/format/CDataInterface.html>.
//! Accepted: `utf8` (`u`) and `large_utf8` (`U`) arrays, with nulls and offsets; anything else
//! is a TypeError asking for a cast. Every string is checked to be UTF-8 and every offset to be
//! in order before it is read.

use std::ffi::{CStr, c_char, c_void};

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

#[repr(C)]
pub struct ArrowSchema {
    format: *const c_char,
    name: *const c_char,
    metadata: *const c_char,
    flags: i64,
    n_children: i64,
    children: *mut *mut ArrowSchema,
    dictionary: *mut ArrowSchema,
    release: Option<unsafe extern "C" fn(*mut ArrowSchema)>,
    private_data: *mut c_void,
}

#[repr(C)]
pub struct ArrowArray {
    length: i64,
    null_count: i64,
    offset: i64,
    n_buffers: i64,
    n_children: i64,
    buffers: *mut *const c_void,
    children: *mut *mut ArrowArray,
    dictionary: *mut ArrowArray,
    release: Option<unsafe extern "C" fn(*mut ArrowArray)>,
    private_data: *mut c_void,
}

#[repr(C)]
struct ArrowArrayStream {
    get_schema: Option<unsafe extern "C" fn(*mut ArrowArrayStream, *mut ArrowSchema) -> i32>,
    get_next: Option<unsafe extern "C" fn(*mut ArrowArrayStream, *mut ArrowArray) -> i32>,
    get_last_error: Option<unsafe extern "C" fn(*mut ArrowArrayStream) -> *const c_char>,
    release: Option<unsafe extern "C" fn(*mut ArrowArrayStream)>,
    private_data: *mut c_void,
}

/// An imported array: owned (released on drop), with the format of its schema.
pub struct Column {
    array: ArrowArray,
    large: bool,
}

impl Drop for Column {
    fn drop(&mut self) {
        if let Some(release) = self.array.release {
            // SAFETY: we own the moved-out struct; release is called once.
            unsafe { release(&mut self.array) };
        }
    }
}

// SAFETY: the C data interface lets the consumer read an array's buffers from any thread.
unsafe impl Send for Column {}

impl Column {
    /// The strings of this array (`None` for nulls), borrowed from its buffers.
    pub fn strings(&self) -> PyResult<Vec<Option<&str>>> {
        let a = &self.array;
        let len = usize::try_from(a.length).map_err(|_| bad("negative length"))?;
        let off = usize::try_from(a.offset).map_err(|_| bad("negative offset"))?;
        if len == 0 {
            return Ok(Vec::new());
        }
        if a.n_buffers != 3 || a.buffers.is_null() {
            return Err(bad("a string array has 3 buffers"));
        }
        // SAFETY: n_buffers == 3 pointers, as the format promises.
        let (validity, offsets, data) =
            unsafe { (*a.buffers, *a.buffers.add(1), *a.buffers.add(2)) };
        if offsets.is_null() {
            return Err(bad("missing offsets buffer"));
        }
        let offset_at = |i: usize| -> usize {
            // SAFETY: i <= off + len, the offsets buffer holds off + len + 1 entries.
            unsafe {
                if self.large {
                    *(offsets as *const i64).add(i) as usize
                } else {
                    *(offsets as *const i32).add(i) as u32 as usize
                }
            }
        };
        let is_valid = |i: usize| -> bool {
            if validity.is_null() || a.null_count == 0 {
                return true;
            }
            // SAFETY: the bitmap holds at least off + len bits.
            let byte = unsafe { *(validity as *const u8).add(i / 8) };
            byte & (1 << (i % 8)) != 0
        };
        let end = offset_at(off + len);
        if end > 0 && data.is_null() {
            return Err(bad("missing data buffer"));
        }
        let mut out = Vec::with_capacity(len);
        let mut prev = offset_at(off);
        for i in off..off + len {
            let next = offset_at(i + 1);
            if next < prev || next > end {
                return Err(bad("offsets out of order"));
            }
            if !is_valid(i) {
                out.push(None);
            } else {
                // SAFETY: prev..next lies inside the data buffer (offsets checked above).
                let bytes = unsafe {
                    std::slice::from_raw_parts((data as *const u8).add(prev), next - prev)
                };
                let s = std::str::from_utf8(bytes).map_err(|e| {
                    PyValueError::new_err(format!(
                        "count_batch: Arrow string {} is not UTF-8 ({e})",
                        i - off
                    ))
                })?;
                out.push(Some(s));
            }
            prev = next;
        }
        Ok(out)
    }
}

fn bad(what: &str) -> PyErr {
    PyValueError::new_err(format!("count_batch: malformed Arrow array: {what}"))
}

/// `large` for `U`, not for `u`; a TypeError for any other type.
fn string_format(schema: &ArrowSchema) -> PyResult<bool> {
    if schema.format.is_null() {
        return Err(bad("schema without format"));
    }
    // SAFETY: the format is a NUL-terminated string owned by the schema.
    let f = unsafe { CStr::from_ptr(schema.format) }.to_bytes();
    match f {
        b"u" => Ok(false),
        b"U" => Ok(true),
        other => Err(PyTypeError::new_err(format!(
            "count_batch: an Arrow array of type '{}' is not a string array (cast it to \
             pa.string() or pa.large_string())",
            String::from_utf8_lossy(other)
        ))),
    }
}

/// Move the struct out of a capsule, leaving a released (null `release`) one behind, as the
/// PyCapsule protocol asks of consumers.
unsafe fn take<T>(capsule: &Bound<'_, PyAny>, name: &CStr) -> PyResult<*mut T> {
    // SAFETY: PyCapsule_GetPointer checks the capsule's name and sets an error on mismatch.
    let p = unsafe { ffi::PyCapsule_GetPointer(capsule.as_ptr(), name.as_ptr()) } as *mut T;
    if p.is_null() {
        return Err(PyErr::take(capsule.py())
            .unwrap_or_else(|| bad(&format!("expected a {name:?} capsule"))));
    }
    Ok(p)
}

struct Schema(ArrowSchema);
impl Drop for Schema {
    fn drop(&mut self) {
        if let Some(release) = self.0.release {
            // SAFETY: owned, released once.
            unsafe { release(&mut self.0) };
        }
    }
}

/// Import a string array (or every chunk of a stream) from an object implementing the Arrow
/// PyCapsule protocol.
pub fn import(obj: &Bound<'_, PyAny>) -> PyResult<Vec<Column>> {
    if obj.hasattr("__arrow_c_array__")? {
        let pair = obj.call_method0("__arrow_c_array__")?;
        let pair = pair.cast::<PyTuple>()?;
        if pair.len() != 2 {
            return Err(bad("__arrow_c_array__ must return (schema, array)"));
        }
        let (sc, ac) = (pair.get_item(0)?, pair.get_item(1)?);
        // SAFETY: names checked; we move the structs out and null the originals' release.
        unsafe {
            let sp: *mut ArrowSchema = take(&sc, c"arrow_schema")?;
            let ap: *mut ArrowArray = take(&ac, c"arrow_array")?;
            let schema = Schema(std::ptr::read(sp));
            (*sp).release = None;
            let array = std::ptr::read(ap);
            (*ap).release = None;
            let col = Column {
                array,
                large: false,
            };
            let mut col = col;
            col.large = string_format(&schema.0)?;
            return Ok(vec![col]);
        }
    }
    let cap = obj.call_method0("__arrow_c_stream__")?;
    // SAFETY: as above, for a stream.
    unsafe {
        let p: *mut ArrowArrayStream = take(&cap, c"arrow_array_stream")?;
        let mut stream = std::ptr::read(p);
        (*p).release = None;
        struct Owned(ArrowArrayStream);
        impl Drop for Owned {
            fn drop(&mut self) {
                if let Some(r) = self.0.release {
                    // SAFETY: owned, released once.
                    unsafe { r(&mut self.0) };
                }
            }
        }
        let err = |s: &mut ArrowArrayStream, code: i32| -> PyErr {
            let msg = s
                .get_last_error
                .map(|f| f(s))
                .filter(|m| !m.is_null())
                .map(|m| CStr::from_ptr(m).to_string_lossy().into_owned())
                .unwrap_or_else(|| format!("error {code}"));
            PyValueError::new_err(format!("count_batch: reading the Arrow stream: {msg}"))
        };
        let (Some(get_schema), Some(get_next)) = (stream.get_schema, stream.get_next) else {
            return Err(bad("stream without callbacks"));
        };
        let mut schema: ArrowSchema = std::mem::zeroed();
        let rc = get_schema(&mut stream, &mut schema);
        let mut owned = Owned(stream);
        if rc != 0 {
            return Err(err(&mut owned.0, rc));
        }
        let schema = Schema(schema);
        let large = string_format(&schema.0)?;
        let mut cols = Vec::new();
        loop {
            let mut array: ArrowArray = std::mem::zeroed();
            let rc = get_next(&mut owned.0, &mut array);
            if rc != 0 {
                return Err(err(&mut owned.0, rc));
            }
            if array.release.is_none() {
                break;
            }
            cols.push(Column { array, large });
        }
        Ok(cols)
    }
}
