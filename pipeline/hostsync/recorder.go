package hostsync

import (
	"fmt"
	"os"

	"github.com/ProtonMail/go-crypto/openpgp"

	"github.com/kbops/kbops/reviews"
	"github.com/kbops/kbops/reviews/kbrepo"
)

// Environment variables of the recorder key.
const (
	// EnvRecorderKey names an armored OpenPGP private key file; its
	// primary identity's address is the recorder's name in OWNERS
	// recorders:.
	EnvRecorderKey = "KBOPS_RECORDER_KEY"
	// EnvRecorderPassphrase unlocks it when it is protected.
	EnvRecorderPassphrase = "KBOPS_RECORDER_PASSPHRASE"
)

// Recorder is the identity that signs the decision commits made from the
// git host.
type Recorder struct {
	Name string // address, as OWNERS recorders: lists it
	Key  *openpgp.Entity
}

// RecorderFromEnv reads the recorder key KBOPS_RECORDER_KEY names; nil
// when the variable is empty.
func RecorderFromEnv() (*Recorder, error) {
	path := os.Getenv(EnvRecorderKey)
	if path == "" {
		return nil, nil
	}
	key, err := kbrepo.ReadSignKey(path, []byte(os.Getenv(EnvRecorderPassphrase)))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvRecorderKey, err)
	}
	for _, id := range key.Identities {
		if id.UserId != nil && id.UserId.Email != "" {
			return &Recorder{Name: reviews.Identity(id.UserId.Email), Key: key}, nil
		}
	}
	return nil, fmt.Errorf("%s %s: the key has no identity with an e-mail address, which names the recorder in OWNERS recorders:", EnvRecorderKey, path)
}
