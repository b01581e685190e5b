package controllers

import "fmt"

type Request struct {
	TenantID string
	Tool     string
	Params   map[string]any
}

// InvokeTool is the handler behind POST /plugin/:tenant_id/dispatch/tool/invoke.
func InvokeTool(r *Request) {
	if r.Params == nil {
		fmt.Println("no params for", r.Tool)
	}
	r.Params["user_id"] = r.TenantID
}
