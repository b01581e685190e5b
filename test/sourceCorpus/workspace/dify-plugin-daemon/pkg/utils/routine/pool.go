package routine

import (
	"runtime"

	"github.com/langgenius/dify-plugin-daemon/pkg/utils/log"
)

// Submit runs f on its own goroutine; a panic is logged with the goroutine's stack instead of crashing.
func Submit(labels map[string]string, f func()) {
	go func() {
		defer func() {
			if err := recover(); err != nil {
				buf := make([]byte, 1024*1024)
				n := runtime.Stack(buf, false)
				log.Error("panic in routine", "panic", err, "stack_trace", string(buf[:n]), "labels", labels)
			}
		}()
		f()
	}()
}
