// Package gitloc is the Location for documents in a git repository
// (scheme "git"), read with github.com/go-git/go-git/v5.
//
// The repository is cloned once (bare, no working tree) into the cache
// folder the location is given, and fetched on every List afterwards, so a
// nightly run transfers only new objects. Documents are read from the tip
// of one branch (options.branch, default the remote's HEAD), below an
// optional folder (options.path); keys are paths relative to it. Versions
// are git blob hashes: equal content gives equal versions at no cost.
//
// Tokens come from the environment, never from the config, so that no
// secret is committed with kbops.yaml: KBOPS_GIT_TOKEN for a repository on
// the host of git.remote (the token was issued for that host), or the
// variable options.token_env names. No token goes to any other host, and
// none over plain http unless the host is loopback (see Token). Symbolic
// links and files over the size limit are reported per item.
package gitloc
