// Package all registers every built-in git host with githost.Default.
package all

import (
	_ "github.com/kbops/kbops/reviews/githost/gitea"
)
