// pulumi-language-python, as built by scim-setup's scripts/install-pulumi.
//
// The upstream Python language host is its own Go module, which the module
// proxy available to this project does not serve. This small stand-in
// implements the parts of the LanguageRuntime gRPC service that
// `pulumi preview/up/destroy/refresh/install/about` use, runs programs
// through the upstream `pulumi-language-python-exec` shim that sits next to
// this binary, and runs Python plugins such as policy packs (RunPlugin).
//
// Unlike upstream, plugin discovery and About() spawn no pip and walk no
// package file lists: both read the virtual environment's files directly.
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// Exit code used by pulumi-language-python-exec after it has already shown
// the user an actionable error message.
const bailExitCode = 32

// Prints the `pulumi-plugin.json` files of top-level packages on sys.path;
// only used when the toolchain does not name its virtual environment directory.
const listPluginFilesPy = `
import glob, os, sys
for entry in sys.path:
    if os.path.isdir(entry):
        print("\n".join(sorted(glob.glob(os.path.join(entry, "*", "pulumi-plugin.json")))))
`

type pluginJSON struct {
	Name             string `json:"name"`
	Version          string `json:"version"`
	Server           string `json:"server"`
	Resource         bool   `json:"resource"`
	Parameterization *struct {
		Name    string `json:"name"`
		Version string `json:"version"`
		Value   string `json:"value"`
	} `json:"parameterization"`
}

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	execPath      string
	engineAddress string
	tracing       string
}

func main() {
	tracing := flag.String("tracing", "", "Emit tracing to a Zipkin-compatible tracing endpoint")
	// Accepted for command-line compatibility with the upstream host; the
	// Pulumi.yaml runtime options are what is actually used.
	_ = flag.String("root", "", "unused")
	_ = flag.String("virtualenv", "", "unused")
	_ = flag.String("toolchain", "", "unused")
	_ = flag.String("typechecker", "", "unused")
	flag.Parse()
	logging.InitLogging(false, 0, false)

	self, err := os.Executable()
	if err != nil {
		fatal(err)
	}
	if resolved, rerr := filepath.EvalSymlinks(self); rerr == nil {
		self = resolved
	}
	execPath := filepath.Join(filepath.Dir(self), "pulumi-language-python-exec")
	if _, err := os.Stat(execPath); err != nil {
		fatal(fmt.Errorf("could not find %s next to the language host: %w", filepath.Base(execPath), err))
	}

	// The engine stops plugins with SIGINT and kills them only after a grace period
	// (cmdutil.TerminateProcessGroup). A host started from a background job of a
	// non-interactive shell inherits SIGINT as ignored and would make every command wait
	// out that period, so take the signal explicitly.
	interrupts := make(chan os.Signal, 1)
	signal.Notify(interrupts, os.Interrupt)
	go func() {
		<-interrupts
		os.Exit(0)
	}()

	h := &host{execPath: execPath, tracing: *tracing}
	if args := flag.Args(); len(args) > 0 {
		h.engineAddress = args[0]
	}

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, h)
			return nil
		},
	})
	if err != nil {
		fatal(fmt.Errorf("could not start language host RPC server: %w", err))
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fatal(fmt.Errorf("language host RPC stopped serving: %w", err))
	}
}

func fatal(err error) {
	fmt.Fprintf(os.Stderr, "fatal: %v\n", err)
	os.Exit(1)
}

// toolchainFor resolves the Python toolchain from the Pulumi.yaml runtime options.
func toolchainFor(info *pulumirpc.ProgramInfo) (toolchain.Toolchain, error) {
	opts, err := optionsFor(info)
	if err != nil {
		return nil, err
	}
	return toolchain.ResolveToolchain(opts)
}

// optionsFor reads the runtime options of Pulumi.yaml (or PulumiPolicy.yaml).
func optionsFor(info *pulumirpc.ProgramInfo) (toolchain.PythonOptions, error) {
	opts := toolchain.PythonOptions{Toolchain: toolchain.Auto}
	if info != nil {
		opts.Root = info.GetRootDirectory()
		opts.ProgramDir = info.GetProgramDirectory()
		var raw map[string]any
		if info.GetOptions() != nil {
			raw = info.GetOptions().AsMap()
		}
		if v, ok := raw["virtualenv"].(string); ok {
			opts.Virtualenv = v
		}
		if v, ok := raw["toolchain"].(string); ok {
			switch strings.ToLower(v) {
			case "pip":
				opts.Toolchain = toolchain.Pip
			case "poetry":
				opts.Toolchain = toolchain.Poetry
			case "uv":
				opts.Toolchain = toolchain.Uv
			case "", "auto":
			default:
				return opts, fmt.Errorf("unsupported Python toolchain %q in Pulumi.yaml", v)
			}
		}
	}
	if opts.ProgramDir == "" {
		opts.ProgramDir = opts.Root
	}
	return opts, nil
}

func (h *host) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.GetEngineAddress() != "" {
		h.engineAddress = req.GetEngineAddress()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

// installedPlugins reports the resource plugins that installed packages declare
// in a top-level `<package>/pulumi-plugin.json` (how generated provider SDKs
// announce them). It is best effort: without a usable Python environment it
// reports none, and Run then explains what is wrong.
func (h *host) installedPlugins(ctx context.Context, info *pulumirpc.ProgramInfo) []pluginJSON {
	tc, err := toolchainFor(info)
	if err != nil || tc.ValidateVenv(ctx) != nil {
		return nil
	}
	files, err := pluginFiles(ctx, tc)
	if err != nil {
		logging.V(5).Infof("finding pulumi-plugin.json files failed: %v", err)
		return nil
	}
	var plugins []pluginJSON
	seen := map[string]bool{}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			continue
		}
		var p pluginJSON
		if json.Unmarshal(b, &p) != nil || !p.Resource || p.Name == "" {
			continue
		}
		key := p.Name + "@" + p.Version
		if p.Parameterization != nil {
			key += "/" + p.Parameterization.Name + "@" + p.Parameterization.Version
		}
		if !seen[key] {
			seen[key] = true
			plugins = append(plugins, p)
		}
	}
	return plugins
}

// pluginFiles globs the virtual environment's site-packages when the toolchain
// names it, and otherwise asks the interpreter for its sys.path once.
func pluginFiles(ctx context.Context, tc toolchain.Toolchain) ([]string, error) {
	if venv, err := tc.VirtualEnvPath(ctx); err == nil && venv != "" {
		return filepath.Glob(filepath.Join(venv, "lib", "python*", "site-packages", "*", "pulumi-plugin.json"))
	}
	cmd, err := tc.Command(ctx, "-c", listPluginFilesPy)
	if err != nil {
		return nil, err
	}
	out, err := cmd.Output()
	if err != nil {
		return nil, err
	}
	var files []string
	for _, line := range strings.Split(string(out), "\n") {
		if line != "" {
			files = append(files, line)
		}
	}
	return files, nil
}

func normalizeVersion(v string) string {
	if v != "" && !strings.HasPrefix(v, "v") {
		return "v" + v
	}
	return v
}

func (h *host) GetRequiredPlugins(
	ctx context.Context, req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	resp := &pulumirpc.GetRequiredPluginsResponse{}
	for _, p := range h.installedPlugins(ctx, req.GetInfo()) {
		if p.Parameterization != nil {
			continue
		}
		resp.Plugins = append(resp.Plugins, &pulumirpc.PluginDependency{
			Name: p.Name, Kind: "resource", Version: normalizeVersion(p.Version), Server: p.Server,
		})
	}
	return resp, nil
}

func (h *host) GetRequiredPackages(
	ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	resp := &pulumirpc.GetRequiredPackagesResponse{}
	for _, p := range h.installedPlugins(ctx, req.GetInfo()) {
		dep := &pulumirpc.PackageDependency{
			Name: p.Name, Kind: "resource", Version: normalizeVersion(p.Version), Server: p.Server,
		}
		if p.Parameterization != nil {
			value, err := base64.StdEncoding.DecodeString(p.Parameterization.Value)
			if err != nil {
				continue
			}
			dep.Parameterization = &pulumirpc.PackageParameterization{
				Name: p.Parameterization.Name, Version: p.Parameterization.Version, Value: value,
			}
		}
		resp.Packages = append(resp.Packages, dep)
	}
	return resp, nil
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	if info == nil {
		info = &pulumirpc.ProgramInfo{RootDirectory: req.GetPwd(), ProgramDirectory: req.GetPwd()}
	}
	tc, err := toolchainFor(info)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	// Like upstream: create the virtualenv (and install requirements.txt) on
	// first use when Pulumi.yaml names one that does not exist yet.
	if err := tc.EnsureVenv(ctx, info.GetProgramDirectory(), false, true, os.Stdout, os.Stderr); err != nil {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("preparing the Python virtual environment: %v", err)}, nil
	}
	if err := tc.ValidateVenv(ctx); err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	args := []string{"-u", h.execPath}
	add := func(k, v string) {
		if v != "" {
			args = append(args, "--"+k, v)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", h.engineAddress)
	add("project", req.GetProject())
	add("stack", req.GetStack())
	add("pwd", req.GetPwd())
	add("dry_run", strconv.FormatBool(req.GetDryRun()))
	add("parallel", strconv.Itoa(int(req.GetParallel())))
	add("tracing", h.tracing)
	add("organization", req.GetOrganization())
	add("root_directory", info.GetRootDirectory())
	program := req.GetProgram()
	if program == "" {
		program = "."
	}
	args = append(args, program)
	args = append(args, req.GetArgs()...)

	cmd, err := tc.Command(ctx, args...)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	env := cmd.Env
	if env == nil {
		env = os.Environ()
	}
	if cfg := req.GetConfig(); cfg != nil {
		b, err := json.Marshal(cfg)
		if err != nil {
			return nil, fmt.Errorf("serializing configuration: %w", err)
		}
		env = append(env, "PULUMI_CONFIG="+string(b))
	}
	if keys := req.GetConfigSecretKeys(); keys != nil {
		b, err := json.Marshal(keys)
		if err != nil {
			return nil, fmt.Errorf("serializing secret keys: %w", err)
		}
		env = append(env, "PULUMI_CONFIG_SECRET_KEYS="+string(b))
	}
	cmd.Env = env
	cmd.Dir = req.GetPwd()
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	logging.V(5).Infof("language host launching: %s %s", cmd.Path, strings.Join(args, " "))

	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if exitErr.ExitCode() == bailExitCode {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{
				Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exitErr.ExitCode()),
			}, nil
		}
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("Problem executing program (could not run language executor): %v", err),
		}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

// streamWriter forwards dependency-installation output to the engine.
type streamWriter struct {
	server grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse]
	stderr bool
}

func (w streamWriter) Write(p []byte) (int, error) {
	buf := append([]byte(nil), p...)
	msg := &pulumirpc.InstallDependenciesResponse{Stdout: buf}
	if w.stderr {
		msg = &pulumirpc.InstallDependenciesResponse{Stderr: buf}
	}
	if err := w.server.Send(msg); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (h *host) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest,
	server grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse],
) error {
	info := req.GetInfo()
	if info == nil {
		info = &pulumirpc.ProgramInfo{RootDirectory: req.GetDirectory(), ProgramDirectory: req.GetDirectory()}
	}
	tc, err := toolchainFor(info)
	if err != nil {
		return err
	}
	var stdout, stderr io.Writer = streamWriter{server: server}, streamWriter{server: server, stderr: true}
	return tc.InstallDependencies(server.Context(), info.GetProgramDirectory(),
		req.GetUseLanguageVersionTools(), true, stdout, stderr)
}

// About reports the interpreter. In a virtual environment it reads pyvenv.cfg
// instead of running Python; elsewhere it runs the interpreter once (never pip).
func (h *host) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	tc, err := toolchainFor(req.GetInfo())
	if err != nil {
		return nil, err
	}
	if venv, err := tc.VirtualEnvPath(ctx); err == nil && venv != "" {
		if version := venvPythonVersion(venv); version != "" {
			return &pulumirpc.AboutResponse{Executable: filepath.Join(venv, "bin", "python"), Version: version}, nil
		}
	}
	cmd, err := tc.Command(ctx, "-c", "import platform, sys; print(sys.executable); print(platform.python_version())")
	if err != nil {
		return nil, err
	}
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("asking Python for its version: %w", err)
	}
	lines := strings.Fields(string(out))
	if len(lines) != 2 {
		return nil, fmt.Errorf("unexpected answer from Python about itself: %q", out)
	}
	return &pulumirpc.AboutResponse{Executable: lines[0], Version: lines[1]}, nil
}

// venvPythonVersion is the Python version the virtualenv's pyvenv.cfg records, or "".
func venvPythonVersion(venv string) string {
	b, err := os.ReadFile(filepath.Join(venv, "pyvenv.cfg"))
	if err != nil {
		return ""
	}
	values := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			values[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	// `python -m venv` writes "version = 3.11.7"; virtualenv "version_info = 3.11.7.final.0".
	for _, key := range []string{"version", "version_info"} {
		if v := pythonVersionPattern.FindString(values[key]); v != "" {
			return v
		}
	}
	return ""
}

var pythonVersionPattern = regexp.MustCompile(`^\d+\.\d+(\.\d+)?`)

func (h *host) GetProgramDependencies(
	ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	tc, err := toolchainFor(req.GetInfo())
	if err != nil {
		return nil, err
	}
	deps, err := tc.ListPackages(ctx, req.GetTransitiveDependencies())
	if err != nil {
		return nil, err
	}
	resp := &pulumirpc.GetProgramDependenciesResponse{}
	for _, d := range deps {
		resp.Dependencies = append(resp.Dependencies, &pulumirpc.DependencyInfo{Name: d.Name, Version: d.Version})
	}
	return resp, nil
}

// RunPlugin runs a Python plugin, such as a policy pack, as upstream does: the
// plugin directory's `__main__.py` (`python <dir> args…`), or, for a buildable
// package without one, `python -m pulumi.run.plugin <project name> args…`.
// With the pip toolchain the virtualenv defaults to `venv`: plugins never run
// in the ambient Python.
func (h *host) RunPlugin(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	ctx := server.Context()
	info := req.GetInfo()
	logging.V(5).Infof("running Python plugin in %s with args %v", info.GetProgramDirectory(), req.GetArgs())
	opts, err := optionsFor(info)
	if err != nil {
		return err
	}
	if opts.Toolchain == toolchain.Pip && opts.Virtualenv == "" {
		opts.Virtualenv = "venv"
	}
	tc, err := toolchain.ResolveToolchain(opts)
	if err != nil {
		return err
	}
	// As older upstream hosts did: say how to create a missing virtualenv.
	if err := tc.ValidateVenv(ctx); err != nil {
		return err
	}
	cmd, err := pluginCommand(ctx, tc, opts.Root, info.GetProgramDirectory(), req.GetArgs())
	if err != nil {
		return err
	}

	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()
	cmd.Dir = req.GetPwd()
	cmd.Env = append(cmd.Env, req.GetEnv()...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			return server.Send(&pulumirpc.RunPluginResponse{
				Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(exitErr.ExitCode())}, //nolint:gosec
			})
		}
		return fmt.Errorf("problem executing plugin program (could not run language executor): %w", err)
	}
	return closer.Close()
}

func pluginCommand(
	ctx context.Context, tc toolchain.Toolchain, root, programDir string, args []string,
) (*exec.Cmd, error) {
	if _, err := os.Stat(filepath.Join(root, "__main__.py")); err == nil {
		return tc.Command(ctx, append([]string{programDir}, args...)...)
	} else if !os.IsNotExist(err) {
		return nil, fmt.Errorf("looking for __main__.py: %w", err)
	}
	// Older SDKs lack pulumi.run.plugin; then the directory itself is run, as upstream does.
	check, err := tc.Command(ctx, "-c", "import pulumi.run.plugin")
	if err != nil {
		return nil, err
	}
	if out, err := check.CombinedOutput(); err != nil && strings.Contains(string(out), "ModuleNotFoundError") {
		return tc.Command(ctx, append([]string{programDir}, args...)...)
	}
	buildable, err := toolchain.IsBuildablePackage(root)
	if err != nil {
		return nil, fmt.Errorf("checking if plugin is a buildable package: %w", err)
	}
	if !buildable {
		return nil, errors.New("plugin is not runnable, it provides neither __main__.py nor a buildable pyproject.toml")
	}
	pyproject, err := toolchain.LoadPyproject(root)
	if err != nil {
		return nil, fmt.Errorf("loading pyproject: %w", err)
	}
	return tc.ModuleCommand(ctx, "pulumi.run.plugin", append([]string{pyproject.Project.Name}, args...)...)
}
