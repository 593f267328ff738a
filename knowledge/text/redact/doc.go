// Package redact finds and removes personal data in free text: e-mail
// addresses, phone numbers, payment card numbers, IBANs, IP addresses,
// the names of known people and patterns from the configuration.
//
// The ticket extractor runs every field of a ticket through a Redactor
// before anything is emitted; ingestion does the same for the sections of
// notes (and of manuals when their source asks for it), and the
// expression-stage review check uses Find on unit bodies to report
// leftover personal data. Names are found when given (a requester field)
// or learned from the text itself (Learn): greetings, sign-offs,
// self-introductions and first.last@ addresses. Matches carry only
// a kind and byte offsets: no String or Error output of this package ever
// contains the matched value, so reports and logs are safe to keep.
//
// Detection favours precision on the things that look like personal data
// in support text but are not: dates, times, version numbers, part numbers
// and error codes stay. Numbers are checked where a checksum exists (Luhn
// for cards, ISO 7064 mod 97 for IBANs, address syntax for IPs).
package redact
