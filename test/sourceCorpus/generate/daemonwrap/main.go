// Command daemonwrap re-encodes a dify_plugin session error the way dify-plugin-daemon does before it
// streams it to the Dify API, using Go's encoding/json like the daemon (same struct/map shapes):
//
//   - the SDK's error object {"error_type", "message", "args"} is unmarshalled into
//     plugin_entities.ErrorResponse (Args map[string]any) and its Error() marshals a Go map
//     (so keys come out sorted: args, error_type, message);
//   - exception.InvokePluginError(err) wraps that text in genericError{Message, ErrorType:
//     "PluginInvokeError", Args: nil} whose ToResponse() marshals the struct (field order message,
//     error_type, args) into entities.Response{Code: -500, Message, Data: nil}.
//
// Reads one SDK error object per line on stdin, writes one Response JSON per line on stdout. With the
// argument "internal", each input line is a daemon error message wrapped by exception.InternalServerError.
package main

import (
	"bufio"
	"encoding/json"
	"os"
)

type errorResponse struct {
	Message   string         `json:"message"`
	ErrorType string         `json:"error_type"`
	Args      map[string]any `json:"args"`
}

func (e *errorResponse) Error() string {
	b, _ := json.Marshal(map[string]any{"message": e.Message, "error_type": e.ErrorType, "args": e.Args})
	return string(b)
}

type genericError struct {
	Message   string         `json:"message"`
	ErrorType string         `json:"error_type"`
	Args      map[string]any `json:"args"`
}

type response struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    any    `json:"data"`
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 64<<20), 64<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	internal := len(os.Args) > 1 && os.Args[1] == "internal"
	for in.Scan() {
		if internal {
			// exception.InternalServerError(err): genericError{Message: err.Error(), ErrorType: "PluginDaemonInternalServerError"}
			wrapped := genericError{Message: in.Text(), ErrorType: "PluginDaemonInternalServerError"}
			inner, _ := json.Marshal(wrapped)
			line, _ := json.Marshal(response{Code: -500, Message: string(inner), Data: nil})
			out.Write(line)
			out.WriteByte('\n')
			continue
		}
		var sdkError errorResponse
		if err := json.Unmarshal(in.Bytes(), &sdkError); err != nil {
			panic(err)
		}
		wrapped := genericError{Message: sdkError.Error(), ErrorType: "PluginInvokeError"}
		inner, _ := json.Marshal(wrapped)
		line, _ := json.Marshal(response{Code: -500, Message: string(inner), Data: nil})
		out.Write(line)
		out.WriteByte('\n')
	}
}
