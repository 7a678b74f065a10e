using System.Globalization;
using Cluster.Quality;

// Quality of stage 1 on the real data in ../shared/data. Prints Markdown tables for bench/README.md.
// Usage: dotnet run -c Release --project bench/Quality -- [evasion] [false-positives] [abuse] [speed]
//        dotnet run -c Release --project bench/Quality -- abuse-model [path]   (retrains the shipped abuse model)
//        dotnet run -c Release --project bench/Quality -- default-lexicon [path]   (regenerates the shipped default lexicon)
//        dotnet run -c Release --project bench/Quality -- default-lexicon-report
var sections = args.Length == 0 ? ["evasion", "false-positives", "abuse"] : args;
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
foreach (var section in sections)
{
    switch (section)
    {
        case "evasion":
            EvasionReport.Run();
            break;
        case "false-positives":
            FalsePositiveReport.Run();
            break;
        case "abuse-model":
            AbuseReport.WriteModel(args.SkipWhile(a => a != "abuse-model").Skip(1).FirstOrDefault()
                ?? Path.Combine("src", "Screening", "Classifiers", "abuse-cold.bin"));
            return 0;
        case "default-lexicon":
            DefaultLexiconReport.Write(args.SkipWhile(a => a != "default-lexicon").Skip(1).FirstOrDefault() ?? DefaultLexiconRecipe.DefaultPath);
            return 0;
        case "default-lexicon-report":
            DefaultLexiconReport.Run();
            break;
        case "abuse-benign":
            AbuseReport.BenignFlagRate();
            break;
        case "speed":
            SpeedReport.Run();
            break;
        case "abuse":
            AbuseReport.Run();
            break;
        default:
            Console.Error.WriteLine($"unknown section '{section}'; expected evasion, false-positives, abuse, speed or default-lexicon-report");
            return 2;
    }
}
return 0;
