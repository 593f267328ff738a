package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	lpdf "github.com/ledongthuc/pdf"
	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// ErrPassword is wrapped by errors for PDFs that cannot be opened without
// a password.
var ErrPassword = errors.New("the PDF needs a password to open; kbops reads only PDFs that open without one")

// openPDF opens data with ledongthuc/pdf. Encrypted files that library
// cannot read (AES-256, common in vendor manuals that open without a
// password but forbid editing) are first decrypted in memory with pdfcpu
// and an empty user password.
func openPDF(data []byte) (r *lpdf.Reader, decrypted bool, err error) {
	if !bytes.HasPrefix(bytes.TrimLeft(data[:min(len(data), 1024)], "\x00\t\r\n "), []byte("%PDF-")) && !bytes.Contains(data[:min(len(data), 1024)], []byte("%PDF-")) {
		return nil, false, errors.New("not a PDF file (no %PDF- header)")
	}
	if err := checkXrefChain(data); err != nil {
		return nil, false, err
	}
	r, err = newReader(data)
	if err == nil {
		return r, false, nil
	}
	if !isEncrypted(data) {
		return nil, false, fmt.Errorf("cannot parse PDF: %w", err)
	}
	plain, derr := decrypt(data)
	if derr != nil {
		return nil, false, derr
	}
	if err := checkXrefChain(plain); err != nil {
		return nil, true, err
	}
	r, err = newReader(plain)
	if err != nil {
		return nil, true, fmt.Errorf("cannot parse decrypted PDF: %w", err)
	}
	return r, true, nil
}

func newReader(data []byte) (r *lpdf.Reader, err error) {
	defer func() {
		if x := recover(); x != nil {
			r, err = nil, fmt.Errorf("malformed PDF: %v", x)
		}
	}()
	r, err = lpdf.NewReaderEncrypted(bytes.NewReader(data), int64(len(data)), nil)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// isEncrypted reports whether the trailer names an /Encrypt dictionary.
func isEncrypted(data []byte) bool {
	return bytes.Contains(data, []byte("/Encrypt"))
}

// decrypt removes the encryption of a PDF that opens with an empty user
// password.
func decrypt(data []byte) (out []byte, err error) {
	defer func() {
		if x := recover(); x != nil {
			out, err = nil, fmt.Errorf("decrypt: malformed PDF: %v", x)
		}
	}()
	conf := &model.Configuration{
		Reader15:                  true,
		ValidationMode:            model.ValidationRelaxed,
		UnsupportedResourcePolicy: model.UnsupportedResourceSkip,
		Eol:                       "\n",
		Limits:                    model.DefaultResourceLimits(),
		Offline:                   true,
	}
	var buf bytes.Buffer
	if err := api.Decrypt(bytes.NewReader(data), &buf, conf); err != nil {
		msg := strings.ToLower(err.Error())
		if strings.Contains(msg, "password") || strings.Contains(msg, "authenticat") {
			return nil, fmt.Errorf("%w (%v)", ErrPassword, err)
		}
		return nil, fmt.Errorf("decrypt: %w", err)
	}
	return buf.Bytes(), nil
}

// openPages opens data and lists its pages; a damaged page tree is an
// error for the whole file, a panic in the library too.
func openPages(data []byte) (r *lpdf.Reader, decrypted bool, pages []lpdf.Page, err error) {
	r, decrypted, err = openPDF(data)
	if err != nil {
		return nil, decrypted, nil, err
	}
	defer func() {
		if x := recover(); x != nil {
			r, pages, err = nil, nil, fmt.Errorf("malformed PDF: %v", x)
		}
	}()
	if pages, err = pageList(r, len(data)); err != nil {
		return nil, decrypted, nil, err
	}
	if len(pages) == 0 {
		return nil, decrypted, nil, errors.New("no pages (damaged page tree?)")
	}
	return r, decrypted, pages, nil
}
