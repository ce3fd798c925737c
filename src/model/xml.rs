//! A small XML element tree on top of quick-xml: parse a document into elements, edit them,
//! and write them back in libvirt's style (two-space indent, single-quoted attributes).
//! Domain definitions keep the whole tree so that what an application defined round-trips.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// One element: its (possibly prefixed) name, attributes in document order, and children.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Element(Element),
    Text(String),
}

/// Where and why a document is not well-formed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub position: u64,
    pub message: String,
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "at byte {}: {}", self.position, self.message)
    }
}

fn start_element(start: &BytesStart, position: u64) -> Result<Element, SyntaxError> {
    let bad = |message: String| SyntaxError { position, message };
    let name = std::str::from_utf8(start.name().as_ref())
        .map_err(|_| bad("element name is not UTF-8".into()))?
        .to_string();
    let mut attrs = Vec::new();
    for attr in start.attributes().with_checks(true) {
        let attr = attr.map_err(|e| bad(format!("malformed attribute in <{name}>: {e}")))?;
        let key = std::str::from_utf8(attr.key.as_ref())
            .map_err(|_| bad(format!("attribute name in <{name}> is not UTF-8")))?
            .to_string();
        let value = attr
            .unescape_value()
            .map_err(|e| bad(format!("attribute '{key}' of <{name}>: {e}")))?
            .into_owned();
        attrs.push((key, value));
    }
    Ok(Element { name, attrs, children: Vec::new() })
}

/// Parses a document with exactly one root element. Whitespace-only text between elements,
/// comments, processing instructions and the XML declaration are dropped.
pub fn parse(text: &str) -> Result<Element, SyntaxError> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let position = reader.buffer_position();
        let bad = |message: String| SyntaxError { position, message };
        let event = reader.read_event().map_err(|e| SyntaxError { position: reader.error_position(), message: e.to_string() })?;
        let mut finished: Option<Element> = None;
        match event {
            Event::Start(start) => {
                if root.is_some() {
                    return Err(bad("content after the root element".into()));
                }
                stack.push(start_element(&start, position)?);
            }
            Event::Empty(start) => {
                if root.is_some() {
                    return Err(bad("content after the root element".into()));
                }
                finished = Some(start_element(&start, position)?);
            }
            Event::End(_) => {
                finished = Some(stack.pop().ok_or_else(|| bad("unexpected end tag".into()))?);
            }
            Event::Text(t) => {
                let s = t.unescape().map_err(|e| bad(e.to_string()))?;
                if !s.trim().is_empty() {
                    let parent = stack.last_mut().ok_or_else(|| bad("text outside the root element".into()))?;
                    parent.children.push(Node::Text(s.into_owned()));
                }
            }
            Event::CData(c) => {
                let s = std::str::from_utf8(&c).map_err(|_| bad("CDATA is not UTF-8".into()))?.to_string();
                let parent = stack.last_mut().ok_or_else(|| bad("CDATA outside the root element".into()))?;
                parent.children.push(Node::Text(s));
            }
            Event::Eof => {
                if let Some(open) = stack.last() {
                    return Err(bad(format!("premature end of data: element <{}> is not closed", open.name)));
                }
                return root.ok_or_else(|| bad("document is empty".into()));
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
        if let Some(element) = finished {
            match stack.last_mut() {
                Some(parent) => parent.children.push(Node::Element(element)),
                None => root = Some(element),
            }
        }
    }
}

impl Element {
    pub fn new(name: impl Into<String>) -> Self {
        Element { name: name.into(), attrs: Vec::new(), children: Vec::new() }
    }

    pub fn with_text(name: impl Into<String>, text: impl Into<String>) -> Self {
        let mut e = Element::new(name);
        e.children.push(Node::Text(text.into()));
        e
    }

    pub fn attr(&self, key: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    pub fn set_attr(&mut self, key: &str, value: impl Into<String>) {
        let value = value.into();
        match self.attrs.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => *v = value,
            None => self.attrs.push((key.to_string(), value)),
        }
    }

    pub fn remove_attr(&mut self, key: &str) {
        self.attrs.retain(|(k, _)| k != key);
    }

    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    pub fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.name == name)
    }

    /// The concatenated text directly inside this element, trimmed.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for n in &self.children {
            if let Node::Text(t) = n {
                s.push_str(t);
            }
        }
        s.trim().to_string()
    }

    pub fn set_text(&mut self, text: impl Into<String>) {
        self.children.retain(|n| matches!(n, Node::Element(_)));
        self.children.insert(0, Node::Text(text.into()));
    }

    /// Position of the first child element named `name`, counted among all children.
    pub fn child_index(&self, name: &str) -> Option<usize> {
        self.children.iter().position(|n| matches!(n, Node::Element(e) if e.name == name))
    }

    pub fn remove_children(&mut self, name: &str) {
        self.children.retain(|n| !matches!(n, Node::Element(e) if e.name == name));
    }

    /// Replaces the first child element named `element.name`, or inserts it after the last of
    /// the children named in `after` that exist (at the start when none does).
    pub fn put_child(&mut self, element: Element, after: &[&str]) {
        if let Some(i) = self.child_index(&element.name) {
            self.children[i] = Node::Element(element);
            return;
        }
        let at = self
            .children
            .iter()
            .rposition(|n| matches!(n, Node::Element(e) if after.contains(&e.name.as_str())))
            .map_or(0, |i| i + 1);
        self.children.insert(at, Node::Element(element));
    }

    /// The document, indented as libvirt writes it, ending with a newline.
    pub fn to_xml(&self) -> String {
        self.to_xml_with_attrs(&self.attrs)
    }

    /// Like `to_xml`, with `attrs` on the root element instead of its own.
    pub fn to_xml_with_attrs(&self, attrs: &[(String, String)]) -> String {
        let mut out = String::with_capacity(512);
        self.write(&mut out, 0, attrs);
        out
    }

    fn write_start(&self, out: &mut String, attrs: &[(String, String)]) {
        out.push('<');
        out.push_str(&self.name);
        for (k, v) in attrs {
            out.push(' ');
            out.push_str(k);
            out.push_str("='");
            escape_into(out, v, true);
            out.push('\'');
        }
    }

    fn write(&self, out: &mut String, depth: usize, attrs: &[(String, String)]) {
        for _ in 0..depth {
            out.push_str("  ");
        }
        self.write_start(out, attrs);
        let has_elements = self.children.iter().any(|n| matches!(n, Node::Element(_)));
        if self.children.is_empty() {
            out.push_str("/>\n");
            return;
        }
        out.push('>');
        if has_elements {
            out.push('\n');
            for n in &self.children {
                match n {
                    Node::Element(e) => e.write(out, depth + 1, &e.attrs),
                    Node::Text(t) => {
                        for _ in 0..=depth {
                            out.push_str("  ");
                        }
                        escape_into(out, t.trim(), false);
                        out.push('\n');
                    }
                }
            }
            for _ in 0..depth {
                out.push_str("  ");
            }
        } else {
            for n in &self.children {
                if let Node::Text(t) = n {
                    escape_into(out, t, false);
                }
            }
        }
        out.push_str("</");
        out.push_str(&self.name);
        out.push_str(">\n");
    }
}

/// The length of `s` once escaped as an attribute value.
pub fn escaped_attribute_len(s: &str) -> usize {
    let mut out = String::new();
    escape_into(&mut out, s, true);
    out.len()
}

fn escape_into(out: &mut String, s: &str, attribute: bool) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\'' if attribute => out.push_str("&apos;"),
            '"' if attribute => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_writes_back() {
        let doc = "<?xml version='1.0'?><a x=\"1\" y='&lt;'><!-- c --><b>t &amp; u</b>\n  <c/></a>";
        let root = parse(doc).unwrap();
        assert_eq!(root.attr("y"), Some("<"));
        assert_eq!(root.child("b").unwrap().text(), "t & u");
        assert_eq!(root.to_xml(), "<a x='1' y='&lt;'>\n  <b>t &amp; u</b>\n  <c/>\n</a>\n");
        assert_eq!(parse(&root.to_xml()).unwrap(), root);
    }

    #[test]
    fn refuses_what_is_not_well_formed() {
        for bad in [
            "",
            "<a>",
            "<a><b></a>",
            "<a></b>",
            "<a>x &y</a>",
            "<a b='1' <c/></a>",
            "<a b='1' b='2'/>",
            "<a/><b/>",
            "text<a/>",
            "<a/>text",
        ] {
            assert!(parse(bad).is_err(), "accepted {bad:?}");
        }
    }

    #[test]
    fn put_child_replaces_or_inserts_in_place() {
        let mut root = parse("<d><name>n</name><memory>1</memory></d>").unwrap();
        root.put_child(Element::with_text("uuid", "u"), &["name"]);
        root.put_child(Element::with_text("memory", "2"), &[]);
        let names: Vec<_> = root.elements().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["name", "uuid", "memory"]);
        assert_eq!(root.child("memory").unwrap().text(), "2");
    }
}
