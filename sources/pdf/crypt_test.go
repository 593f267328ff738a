package pdf

import (
	"bytes"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// encryptWithUserPassword returns data encrypted with AES-256 and a
// user password, so that it cannot be opened without one.
func encryptWithUserPassword(t *testing.T, data []byte) []byte {
	t.Helper()
	conf := &model.Configuration{
		Reader15: true, ValidationMode: model.ValidationRelaxed, Eol: "\n",
		Limits: model.DefaultResourceLimits(), Offline: true,
		UserPW: "user-secret", OwnerPW: "owner-secret", EncryptUsingAES: true, EncryptKeyLength: 256,
		Permissions: model.PermissionsPrint,
	}
	var out bytes.Buffer
	if err := api.Encrypt(bytes.NewReader(data), &out, conf); err != nil {
		t.Fatalf("encrypt fixture: %v", err)
	}
	return out.Bytes()
}
