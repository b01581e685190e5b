package plugin_manager

import (
	"errors"
	"fmt"
	"strings"
)

var errChecksumMismatch = errors.New("checksum mismatch")

type PluginManager struct {
	runtimes map[string]string
}

func (m *PluginManager) Runtime(id string) string {
	return m.runtimes[id]
}

// MustInstall is used at startup for the plugins listed in the config: a broken package stops the daemon.
func MustInstall(identifier string) {
	if err := verify(identifier); err != nil {
		panic(fmt.Errorf("install %s: %w", identifier, err))
	}
}

func verify(identifier string) error {
	if !strings.Contains(identifier, "@0000") {
		return errChecksumMismatch
	}
	return nil
}
