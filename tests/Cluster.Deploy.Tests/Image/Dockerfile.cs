using System.Text;

namespace Cluster.Deploy.Tests.Image;

/// <summary>
/// deploy/Dockerfile read the way the builder reads it: continuation lines joined, comments dropped, instructions
/// grouped by the stage (FROM) they belong to. Enough for static checks; it does not expand ARGs.
/// </summary>
internal sealed class Dockerfile
{
    public const string RelativePath = "deploy/Dockerfile";

    private Dockerfile(IReadOnlyList<Stage> stages) => Stages = stages;

    public IReadOnlyList<Stage> Stages { get; }

    public Stage Final => Stages[^1];

    public static Dockerfile Load() => Parse(File.ReadAllText(RepositoryRoot.File(RelativePath)));

    public static Dockerfile Parse(string text)
    {
        var stages = new List<Stage>();
        foreach (var instruction in Instructions(text))
        {
            if (instruction.Keyword == "FROM")
            {
                stages.Add(new Stage(instruction.Arguments));
            }
            else if (stages.Count == 0)
            {
                Assert.True(instruction.Keyword == "ARG", $"{instruction.Keyword} before the first FROM");
            }
            else
            {
                stages[^1].Instructions.Add(instruction);
            }
        }
        return new Dockerfile(stages);
    }

    private static IEnumerable<Instruction> Instructions(string text)
    {
        var current = new StringBuilder();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r').Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue; // blank lines and comments, also inside a continued instruction, are not part of it
            }
            if (line.EndsWith('\\'))
            {
                current.Append(line[..^1]).Append(' ');
                continue;
            }
            current.Append(line);
            var joined = current.ToString().Trim();
            current.Clear();
            if (joined.Length == 0)
            {
                continue;
            }
            var space = joined.IndexOfAny([' ', '\t']);
            yield return space < 0
                ? new Instruction(joined.ToUpperInvariant(), "")
                : new Instruction(joined[..space].ToUpperInvariant(), joined[(space + 1)..].Trim());
        }
    }

    internal sealed record Instruction(string Keyword, string Arguments);

    internal sealed class Stage(string from)
    {
        /// <summary>The image reference of the FROM line, without "AS name".</summary>
        public string Image { get; } = from.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];

        public string? Name { get; } = from.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, var a, var n] && a.Equals("AS", StringComparison.OrdinalIgnoreCase) ? n : null;

        public List<Instruction> Instructions { get; } = [];

        public IEnumerable<string> All(string keyword) => Instructions.Where(i => i.Keyword == keyword).Select(i => i.Arguments);

        /// <summary>ENV values set in this stage, the later one winning (KEY=value form only, which the file uses).</summary>
        public IReadOnlyDictionary<string, string> Env()
        {
            var env = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var arguments in All("ENV"))
            {
                foreach (var pair in arguments.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
                {
                    var eq = pair.IndexOf('=', StringComparison.Ordinal);
                    Assert.True(eq > 0, $"ENV {arguments}: use KEY=value pairs");
                    env[pair[..eq]] = pair[(eq + 1)..].Trim('"');
                }
            }
            return env;
        }
    }
}
