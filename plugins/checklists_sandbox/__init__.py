"""Programs the checks may run, confined: `sandbox` runs a program with resource limits, a
dropped privilege and a timeout, reading nothing it is not handed; `nginx_scratch` copies
nginx configurations into a scratch folder and runs `nginx -t` on them there (the check
`deploy.reverse_proxy` uses it).

It lives beside the engine, not in the check library: `checks/` holds readers and one module
per check, and a build imports only the checks its pages bind. Nothing here judges; it uses
the public `checklists` API and the check library's readers (see ARCHITECTURE.md).
"""
