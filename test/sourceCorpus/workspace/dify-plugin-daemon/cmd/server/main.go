package main

import (
	"fmt"
	"os"

	"github.com/langgenius/dify-plugin-daemon/internal/cluster"
	"github.com/langgenius/dify-plugin-daemon/internal/core/plugin_manager"
	"github.com/langgenius/dify-plugin-daemon/internal/core/session_manager"
	"github.com/langgenius/dify-plugin-daemon/internal/server/controllers"
	"github.com/langgenius/dify-plugin-daemon/pkg/utils/log"
	"github.com/langgenius/dify-plugin-daemon/pkg/utils/routine"
)

// Package-level values live in the data segment, so the argument words the runtime prints in a
// traceback are the same in every run (heap addresses are not).
var invokeRequest = controllers.Request{TenantID: "t-1", Tool: "get_weather"}

const configuredPlugin = "acme/weather:0.0.1@9999999999999999999999999999999999999999999999999999999999999999"

// The corpus generator starts one scenario per process.
func main() {
	switch os.Args[1] {
	case "handler-nil-map":
		log.RecoveryMiddleware(controllers.InvokeTool)(&invokeRequest)
	case "routine-index":
		done := make(chan struct{})
		routine.Submit(map[string]string{"module": "session_manager"}, func() {
			defer close(done)
			session_manager.DispatchBackwards([]string{"s-1"}, 3)
		})
		<-done
	case "install-explicit":
		plugin_manager.MustInstall(configuredPlugin)
	case "cluster-nil-map-all":
		cluster.Run()
	case "nil-pointer":
		var m *plugin_manager.PluginManager
		fmt.Println(m.Runtime("acme/weather"))
	}
}
