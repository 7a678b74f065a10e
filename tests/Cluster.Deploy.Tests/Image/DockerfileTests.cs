using System.Text.Json;
using System.Xml.Linq;

namespace Cluster.Deploy.Tests.Image;

/// <summary>
/// What can be checked of deploy/Dockerfile without a container runtime: the stages, what the build stage publishes,
/// and what the runtime stage runs, as whom, with which globalization data.
/// </summary>
public sealed class DockerfileTests
{
    private readonly Dockerfile _file = Dockerfile.Load();

    [Fact]
    public void Builds_with_the_sdk_and_runs_on_the_aspnet_runtime_in_separate_stages()
    {
        Assert.True(_file.Stages.Count >= 2, $"expected a multi-stage build, found {_file.Stages.Count} stage(s)");
        var build = _file.Stages[0];
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:10.0", build.Image, StringComparison.Ordinal);
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0", _file.Final.Image, StringComparison.Ordinal);
        Assert.NotNull(build.Name);
        // The runtime image receives the published output and nothing else: no SDK, no sources.
        var copies = _file.Final.All("COPY").ToList();
        Assert.Contains(copies, c => c.Contains($"--from={build.Name}", StringComparison.Ordinal));
        Assert.DoesNotContain(copies, c => !c.Contains("--from=", StringComparison.Ordinal));
    }

    [Fact]
    public void The_build_stage_publishes_the_silo_project_in_release()
    {
        var runs = string.Join('\n', _file.Stages[0].All("RUN"));
        var publish = runs.Split('\n').SingleOrDefault(r => r.Contains("dotnet publish", StringComparison.Ordinal));
        Assert.True(publish is not null, "the build stage has no dotnet publish");
        Assert.Contains("src/Silo/Silo.csproj", publish, StringComparison.Ordinal);
        Assert.Matches(@"(-c|--configuration)[ =]Release\b", publish);
        Assert.True(File.Exists(RepositoryRoot.File("src/Silo/Silo.csproj")), "src/Silo/Silo.csproj is gone; the image publishes it");
    }

    [Fact]
    public void Every_file_the_build_stage_copies_exists_in_the_repository()
    {
        var copies = _file.Stages[0].All("COPY").Where(c => !c.Contains("--from=", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(copies);
        foreach (var copy in copies)
        {
            var parts = copy.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(p => !p.StartsWith("--", StringComparison.Ordinal)).ToList();
            foreach (var source in parts[..^1])
            {
                var path = RepositoryRoot.File(source.TrimEnd('/'));
                Assert.True(File.Exists(path) || Directory.Exists(path), $"COPY {copy}: {source} is not in the repository");
            }
        }
    }

    [Fact]
    public void The_final_stage_runs_the_silo_assembly_as_the_non_root_app_user()
    {
        var user = _file.Final.All("USER").LastOrDefault();
        Assert.True(user is not null, "the final stage sets no USER, so the container runs as root");
        var uid = user!.Split(':')[0];
        // Numeric, so the kubelet can verify runAsNonRoot against the image; 1654 is the aspnet images' app user.
        Assert.Equal("1654", uid);

        var entrypoint = _file.Final.All("ENTRYPOINT").LastOrDefault();
        Assert.True(entrypoint is not null, "the final stage has no ENTRYPOINT");
        var exec = JsonSerializer.Deserialize<string[]>(entrypoint!) ?? []; // exec form: SIGTERM reaches dotnet, not a shell
        var assembly = XDocument.Load(RepositoryRoot.File("src/Silo/Silo.csproj")).Descendants("AssemblyName").Single().Value;
        Assert.Equal(["dotnet", assembly + ".dll"], exec);
    }

    [Fact]
    public void The_final_stage_has_icu_and_globalization_is_not_invariant()
    {
        // Stage 1 folds traditional to simplified Chinese with the system ICU; invariant mode would skip that silently.
        var runs = string.Join('\n', _file.Final.All("RUN"));
        Assert.Contains("libicu", runs, StringComparison.Ordinal);
        Assert.Contains("apt-get install", runs, StringComparison.Ordinal);
        Assert.Contains("libicuuc.so", runs, StringComparison.Ordinal); // the build fails when ICU is still absent
        var env = _file.Final.Env();
        Assert.Equal("false", env.GetValueOrDefault("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "false"));
        var props = XDocument.Load(RepositoryRoot.File("Directory.Build.props"));
        Assert.DoesNotContain(props.Descendants("InvariantGlobalization"), e => e.Value.Trim().Equals("true", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void The_final_stage_listens_on_8080_and_exposes_the_orleans_ports()
    {
        var env = _file.Final.Env();
        Assert.Equal("http://+:8080", env.GetValueOrDefault("ASPNETCORE_URLS"));
        var exposed = _file.Final.All("EXPOSE").SelectMany(e => e.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Select(p => p.Split('/')[0]).ToHashSet();
        Assert.Superset(exposed, new HashSet<string> { "8080", "11111", "30000" });
        // The embedded store's directory: absolute and below a folder the app user can create it in.
        var dataDir = env.GetValueOrDefault("Silo__DataDir");
        Assert.True(dataDir is not null && dataDir.StartsWith('/'), $"Silo__DataDir should be an absolute path in the image, is '{dataDir}'");
    }

    [Fact]
    public void The_build_context_leaves_out_build_output_and_local_data()
    {
        var ignore = RepositoryRoot.File(".dockerignore");
        Assert.True(File.Exists(ignore), ".dockerignore is missing at the repository root (the build context of deploy/Dockerfile)");
        var patterns = File.ReadAllLines(ignore).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        foreach (var required in new[] { "**/bin/", "**/obj/", "**/data/", "**/*.db", ".git/" })
        {
            Assert.Contains(required, patterns);
        }
        // Nothing the build stage copies may be ignored, or the image builds from a partial tree.
        var copied = new[] { "src", "global.json", "Directory.Build.props", "Directory.Packages.props", "*", "**" };
        Assert.DoesNotContain(patterns, p => copied.Contains(p.TrimEnd('/')));
    }
}
