package sources

import (
	"fmt"
	"strings"
)

// FieldError is a problem with one key of a source's settings, so that
// the configuration loader can name the key and its line without parsing
// the message. Key is relative to what was checked: the source entry for
// Spec.Validate, the `extract:` or `options:` block for a plugin.
type FieldError struct {
	Key string
	Msg string
	Err error // the cause, if any
}

func (e *FieldError) Error() string { return e.Key + ": " + e.Msg }

func (e *FieldError) Unwrap() error { return e.Err }

// FieldErrorf returns a *FieldError for key; a %w verb sets its Err.
func FieldErrorf(key, format string, a ...any) error {
	err := fmt.Errorf(format, a...)
	return &FieldError{Key: key, Msg: err.Error(), Err: unwrapped(err)}
}

func unwrapped(err error) error {
	if u, ok := err.(interface{ Unwrap() error }); ok {
		return u.Unwrap()
	}
	return nil
}

// fieldErrorOf makes err, whose message starts with "key: " by its
// package's convention (redact.New), a *FieldError for key.
func fieldErrorOf(key string, err error) error {
	return &FieldError{Key: key, Msg: strings.TrimPrefix(err.Error(), key+": "), Err: err}
}
