// Package pdf is the extractor for PDF manuals (format "pdf", ".pdf").
//
// Text comes from github.com/ledongthuc/pdf's object reader, with kbops'
// own content-stream interpreter on top: it skips inline images (whose
// binary data trips the library's tokenizer), follows form XObjects,
// decodes ToUnicode CMaps with a hash lookup and applies word and
// character spacing. Encrypted files that open without a password
// (AES-256 "no editing" manuals) are decrypted in memory with
// github.com/pdfcpu/pdfcpu first.
//
// Pages are read one by one: a page that cannot be read is reported with
// Place "page N" and the others are kept. Lines are rebuilt from glyph
// positions; paragraphs from line spacing; running headers, footers and
// page numbers (text repeated in the top or bottom tenth of many pages)
// are dropped; headings are found by numbering ("3.2", "一、", "第3章",
// "Chapter 4"), font size and weight; rows of text split by wide gaps
// become Markdown tables kept in one piece. Each section's Locator is the
// PDF page ("p. 12") or range ("pp. 12–13"), counted from the first page
// of the file, which is what PDF viewers show.
package pdf
