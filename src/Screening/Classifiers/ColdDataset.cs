using System.Globalization;
using System.Text;

namespace Cluster.Screening.Classifiers;

/// <summary>
/// Reads the COLD offensive-language CSV files (../shared/data/offensive/cold_*.csv) for training and
/// evaluation tools (bench/Quality, tests) only; the screening pipeline never calls it, and it is the one
/// place in this otherwise I/O-free project that opens a file.
/// </summary>
/// <remarks>
/// The files are RFC 4180 CSV as pandas writes it: UTF-8 with a BOM, header <c>,split,topic,label,TEXT</c>
/// (the test split adds <c>fine-grained-label</c>), and a TEXT field quoted when it holds a comma, a quote
/// (doubled inside the quotes) or a line break. Columns are found by header name, so their order may change.
/// </remarks>
internal static class ColdDataset
{
    public static IReadOnlyList<ColdExample> Read(string path)
    {
        // ReadAllText drops the UTF-8 BOM; the check below covers a BOM left by an odd writer too.
        var csv = File.ReadAllText(path, Encoding.UTF8);
        var position = csv.Length > 0 && csv[0] == '\uFEFF' ? 1 : 0;
        var fields = new List<string>();
        var field = new StringBuilder();
        if (!NextRecord(csv, ref position, fields, field))
        {
            throw new InvalidDataException($"{path}: empty file, expected a header with topic, label and TEXT");
        }
        var width = fields.Count;
        var topic = Column(fields, "topic", path);
        var label = Column(fields, "label", path);
        var text = Column(fields, "TEXT", path);
        var fine = fields.IndexOf("fine-grained-label");

        var examples = new List<ColdExample>();
        var record = 1;
        while (NextRecord(csv, ref position, fields, field))
        {
            record++;
            if (fields.Count == 1 && fields[0].Length == 0)
            {
                continue; // a blank line
            }
            if (fields.Count != width)
            {
                throw new InvalidDataException($"{path}: record {record} has {fields.Count} fields, the header has {width}");
            }
            var offensive = fields[label] switch
            {
                "0" => false,
                "1" => true,
                var other => throw new InvalidDataException($"{path}: record {record} has label '{other}', expected 0 or 1"),
            };
            int? fineGrained = null;
            if (fine >= 0)
            {
                fineGrained = int.TryParse(fields[fine], NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is >= 0 and <= 3
                    ? value
                    : throw new InvalidDataException($"{path}: record {record} has fine-grained-label '{fields[fine]}', expected 0 to 3");
            }
            examples.Add(new ColdExample(fields[text], offensive, fields[topic], fineGrained));
        }
        return examples;
    }

    private static int Column(List<string> header, string name, string path)
    {
        var index = header.IndexOf(name);
        return index >= 0 ? index : throw new InvalidDataException($"{path}: header has no '{name}' column");
    }

    /// <summary>Reads the record at <paramref name="position"/> into <paramref name="fields"/>; false at the end of the text.</summary>
    private static bool NextRecord(string csv, ref int position, List<string> fields, StringBuilder field)
    {
        fields.Clear();
        if (position >= csv.Length)
        {
            return false;
        }
        while (true)
        {
            field.Clear();
            if (position < csv.Length && csv[position] == '"')
            {
                var opened = position++;
                while (true)
                {
                    if (position >= csv.Length)
                    {
                        throw new InvalidDataException($"quoted field opened at offset {opened} is never closed");
                    }
                    var c = csv[position++];
                    if (c != '"')
                    {
                        field.Append(c); // line breaks and commas inside quotes are text
                    }
                    else if (position < csv.Length && csv[position] == '"')
                    {
                        field.Append('"');
                        position++;
                    }
                    else
                    {
                        break;
                    }
                }
            }
            else
            {
                // An unquoted field runs to the next comma or line break; a stray quote inside it is text.
                while (position < csv.Length && csv[position] is not (',' or '\r' or '\n'))
                {
                    field.Append(csv[position++]);
                }
            }
            fields.Add(field.ToString());
            if (position >= csv.Length)
            {
                return true;
            }
            switch (csv[position])
            {
                case ',':
                    position++;
                    continue;
                case '\r':
                    position++;
                    if (position < csv.Length && csv[position] == '\n')
                    {
                        position++;
                    }
                    return true;
                case '\n':
                    position++;
                    return true;
                default:
                    throw new InvalidDataException($"unexpected '{csv[position]}' after a closing quote at offset {position}");
            }
        }
    }
}
