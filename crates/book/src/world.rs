//! The in-memory typst World: fonts loaded once per process, photos as files.

use std::collections::HashMap;
use std::sync::OnceLock;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

pub struct Fonts {
    pub book: LazyHash<FontBook>,
    pub fonts: Vec<Font>,
}

const LIBERATION: [&[u8]; 4] = [
    include_bytes!("../fonts/LiberationSans-Regular.ttf"),
    include_bytes!("../fonts/LiberationSans-Bold.ttf"),
    include_bytes!("../fonts/LiberationSans-Italic.ttf"),
    include_bytes!("../fonts/LiberationSans-BoldItalic.ttf"),
];

/// Every font the books can use (typst's embedded ones plus Liberation Sans).
pub fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| {
        let mut fonts: Vec<Font> = typst_kit::fonts::embedded().map(|(f, _)| f).collect();
        for data in LIBERATION {
            fonts.extend(Font::iter(Bytes::new(data)));
        }
        let book = FontBook::from_fonts(&fonts);
        Fonts { book: LazyHash::new(book), fonts }
    })
}

fn library() -> &'static LazyHash<Library> {
    static LIB: OnceLock<LazyHash<Library>> = OnceLock::new();
    LIB.get_or_init(|| LazyHash::new(Library::builder().build()))
}

pub fn file_id(path: &str) -> FileId {
    RootedPath::new(VirtualRoot::Project, VirtualPath::new(path).expect("valid virtual path")).intern()
}

pub struct BookWorld {
    sources: HashMap<FileId, Source>,
    main: FileId,
    files: HashMap<FileId, Bytes>,
}

impl BookWorld {
    pub fn new() -> Self {
        Self { sources: HashMap::new(), main: file_id("/interior.typ"), files: HashMap::new() }
    }

    /// Makes `path` the main source with `text`, editing the existing source
    /// in place so typst's incremental parser and caches can reuse work.
    pub fn set_main(&mut self, path: &str, text: &str) {
        let id = file_id(path);
        match self.sources.get_mut(&id) {
            Some(src) => {
                src.replace(text);
            }
            None => {
                self.sources.insert(id, Source::new(id, text.to_string()));
            }
        }
        self.main = id;
    }

    /// Replaces the file map; unchanged bytes keep their cache entries.
    pub fn set_files(&mut self, files: HashMap<FileId, Bytes>) {
        self.files = files;
    }
}

impl World for BookWorld {
    fn library(&self) -> &LazyHash<Library> {
        library()
    }
    fn book(&self) -> &LazyHash<FontBook> {
        &fonts().book
    }
    fn main(&self) -> FileId {
        self.main
    }
    fn source(&self, id: FileId) -> FileResult<Source> {
        self.sources.get(&id).cloned().ok_or_else(|| FileError::NotFound(id.vpath().get_with_slash().into()))
    }
    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.files.get(&id).cloned().ok_or_else(|| FileError::NotFound(id.vpath().get_with_slash().into()))
    }
    fn font(&self, index: usize) -> Option<Font> {
        fonts().fonts.get(index).cloned()
    }
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}
