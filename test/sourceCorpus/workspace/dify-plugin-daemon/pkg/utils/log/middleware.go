package log

import (
	"fmt"
	"log/slog"
	"os"
	"runtime"
)

var logger = slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{
	ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{} // the corpus keeps no timestamps
		}
		return a
	},
}))

// RecoveryMiddleware logs a handler panic with its stack and answers 500 (like the daemon's gin middleware).
func RecoveryMiddleware[T any](handler func(T)) func(T) {
	return func(request T) {
		defer func() {
			if err := recover(); err != nil {
				logger.Error("panic recovered", "error", fmt.Sprintf("%v", err), "stack_trace", captureFullStack())
			}
		}()
		handler(request)
	}
}

func captureFullStack() string {
	buf := make([]byte, 4096)
	for {
		n := runtime.Stack(buf, false)
		if n < len(buf) {
			return string(buf[:n])
		}
		buf = make([]byte, len(buf)*2)
	}
}

func Error(msg string, args ...any) {
	logger.Error(msg, args...)
}
