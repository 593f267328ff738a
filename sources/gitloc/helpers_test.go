package gitloc

import "github.com/go-git/go-git/v5/config"

type configRemote struct{ url string }

func (c *configRemote) config() *config.RemoteConfig {
	return &config.RemoteConfig{Name: "origin", URLs: []string{c.url}}
}
