package folder_test

import (
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/kbops/kbops/sources"
)

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func yamlOptions(spec *sources.Spec, src string) error {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		return err
	}
	spec.Options = *n.Content[0]
	return nil
}
