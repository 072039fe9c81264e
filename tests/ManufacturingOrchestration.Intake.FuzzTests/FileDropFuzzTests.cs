using System.Diagnostics;
using System.Text;
using CsCheck;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Intake;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Serialization;
using ManufacturingOrchestration.Storage.PostgreSql.Tests;

namespace ManufacturingOrchestration.Intake.FuzzTests;

/// <summary>
/// Real files through the drop folder — binary, huge, truncated, mixed valid and hostile lines, odd names, FIFOs and
/// symbolic links — each followed by one poll under the watchdog (two for a file that is empty or does not end with a
/// line break): the poll never throws or hangs, the file leaves the folder (processed or rejected, with a report), and
/// every valid line in it is accepted.
/// </summary>
public sealed class FileDropFuzzTests
{
    private const int FilesPerStore = 150;

    private readonly PostgreSqlCluster _cluster;

    public FileDropFuzzTests(PostgreSqlCluster cluster)
    {
        _cluster = cluster;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("memory")]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task ProcessPendingAsync_GeneratedFiles_NeverThrowNeverHangAndLeaveNothingBehind(string store)
    {
        await using var run = await FuzzRun.StartAsync(store, _cluster);
        var drop = Path.Combine(run.Folder, "drop");
        Directory.CreateDirectory(drop);
        var source = new FileDropSource(new FileDropOptions { Directory = drop });
        var pcg = new PCG(store switch { "sqlite" => 6u, "postgresql" => 7u, _ => 5u }, FuzzSeed.Value);
        var unix = OperatingSystem.IsLinux() || OperatingSystem.IsMacOS();
        for (var n = 0; n < (store == "postgresql" ? FilesPerStore / 3 : FilesPerStore); n++)
        {
            run.Inputs++;
            var kind = (int)pcg.Next(12);
            var (name, validIds) = await CreateAsync(drop, run.Folder, kind, n, pcg, unix);
            string Describe() => $"file kind {kind} '{FreeText.Escape(name)}'";

            var reports = await run.GuardAsync(() => source.ProcessPendingAsync(run.Intake, Ct), Describe);
            if (reports.Count == 0 && Pending(drop).Length > 0)
            {
                // A file that is empty or does not end with a line break may still be being written: it is read when the
                // next poll finds it unchanged.
                source.LastError.Should().BeNull($"no file fails a poll ({Describe()})");
                reports = await run.GuardAsync(() => source.ProcessPendingAsync(run.Intake, Ct), Describe);
            }

            source.LastError.Should().BeNull($"no file fails a poll ({Describe()})");
            Pending(drop).Should().BeEmpty($"every dropped file leaves the folder after one poll, or two when it does not end with a line break ({Describe()})");
            var report = reports.Should().ContainSingle($"one report per file ({Describe()})").Subject;
            File.Exists(report.ReportPath).Should().BeTrue();
            foreach (var line in report.Lines.Where(l => l.Status == PublishStatus.Rejected))
            {
                run.CountRejection(line.Errors, Describe);
            }

            if (report.Errors.Count > 0)
            {
                run.CountRejection(report.Errors, Describe);
            }

            foreach (var id in validIds)
            {
                report.Lines.Should().Contain(l => l.EventId == id && l.Status == PublishStatus.Accepted, $"the valid line '{id}' is accepted ({Describe()})");
            }

            await run.PublishValidAsync("after-file");
        }

        await run.VerifyNothingLostAsync();
        run.Print("file-drop");
    }

    /// <summary>The <c>*.jsonl</c> and <c>*.csv</c> names left in the drop folder.</summary>
    private static string[] Pending(string drop) =>
        Directory.EnumerateFileSystemEntries(drop).Select(e => Path.GetFileName(e)!)
            .Where(e => e.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || e.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
            .ToArray();

    /// <summary>Writes lines as UTF-8, with U+FFFD for an unpaired surrogate (a file holds bytes; binary files test the rest).</summary>
    private static Task WriteLinesAsync(string path, IEnumerable<string> lines, CancellationToken cancellationToken) =>
        File.WriteAllBytesAsync(path, Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n"))), cancellationToken);

    /// <summary>Creates one file of the given kind; returns its name and the ids of the valid events in it.</summary>
    private static async Task<(string Name, List<string> ValidIds)> CreateAsync(string drop, string outside, int kind, int n, PCG pcg, bool unix)
    {
        var valid = new List<string>();
        string ValidLine()
        {
            var id = "fd-" + n + "-" + valid.Count;
            valid.Add(id);
            return EventSerializer.Default.SerializeToString(FuzzGen.ValidEvent(id, "S-FD" + n + "-" + valid.Count));
        }

        string Hostile() => Encoding.UTF8.GetString(FuzzGen.JsonEvent.Generate(pcg, null!, out _)(n)).Replace('\n', ' ');

        switch (kind)
        {
            case 0:
                {
                    var name = $"mixed-{n}.jsonl";
                    await WriteLinesAsync(Path.Combine(drop, name), [Hostile(), ValidLine(), Hostile(), "", ValidLine()], Ct);
                    return (name, valid);
                }

            case 1:
                {
                    var name = $"rows-{n}.csv";
                    var rows = new List<string> { FuzzGen.CsvHeader };
                    for (var i = 0; i < 4; i++)
                    {
                        rows.Add(FuzzGen.CsvRow.Generate(pcg, null!, out _)(n * 10 + i).Replace('\n', ' ').Replace('\r', ' '));
                    }

                    var id = "csv-fd-" + n;
                    valid.Add(id);
                    rows.Add(FuzzGen.ValidCsvRow(id, n));
                    await WriteLinesAsync(Path.Combine(drop, name), rows, Ct);
                    return (name, valid);
                }

            case 2:
                {
                    var name = $"binary-{n}.jsonl";
                    var bytes = new byte[(int)pcg.Next(64 * 1024) + 1];
                    for (var i = 0; i < bytes.Length; i++)
                    {
                        bytes[i] = (byte)pcg.Next(256);
                    }

                    await File.WriteAllBytesAsync(Path.Combine(drop, name), bytes, Ct);
                    return (name, valid);
                }

            case 3 when n % 4 == 0:
                {
                    // Huge: a line of several megabytes, then a valid line that must still be read.
                    var name = $"huge-{n}.jsonl";
                    await using var file = File.Create(Path.Combine(drop, name));
                    var chunk = Encoding.ASCII.GetBytes(new string('{', 1024 * 1024));
                    for (var i = 0; i < 3; i++)
                    {
                        await file.WriteAsync(chunk, Ct);
                    }

                    await file.WriteAsync(Encoding.UTF8.GetBytes("\n" + ValidLine() + "\n"), Ct);
                    return (name, valid);
                }

            case 3:
            case 4:
                {
                    var name = $"truncated-{n}.jsonl";
                    var line = ValidLine();
                    valid.Clear();
                    await File.WriteAllTextAsync(Path.Combine(drop, name), ValidLine() + "\n" + line[..(int)pcg.Next((uint)line.Length)], Ct);
                    return (name, valid);
                }

            case 5:
                {
                    // Odd names: near the length limit, with a line break, with unusual characters.
                    var names = new[]
                    {
                        new string('n', 249) + ".jsonl",
                        new string('é', 120) + n + ".jsonl",
                        "line\nbreak-" + n + ".csv",
                        "-dash " + n + " \u202E.jsonl",
                        "\U0001F600 emoji " + n + ".jsonl",
                        " spaced " + n + " .jsonl",
                    };
                    var name = names[pcg.Next((uint)names.Length)];
                    var lines = name.EndsWith(".csv", StringComparison.Ordinal) ? new List<string> { FuzzGen.CsvHeader } : [];
                    if (lines.Count > 0)
                    {
                        var id = "csv-name-" + n;
                        valid.Add(id);
                        lines.Add(FuzzGen.ValidCsvRow(id, n));
                    }
                    else
                    {
                        lines.Add(ValidLine());
                    }

                    await WriteLinesAsync(Path.Combine(drop, name), lines, Ct);
                    return (name, valid);
                }

            case 6 when unix:
                {
                    var name = $"pipe-{n}.jsonl";
                    using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [Path.Combine(drop, name)]) { UseShellExecute = false })!;
                    await mkfifo.WaitForExitAsync(Ct).WaitAsync(FuzzRun.Watchdog, Ct);
                    mkfifo.ExitCode.Should().Be(0);
                    return (name, valid);
                }

            case 7 when unix:
                {
                    // Links: out of the folder, to nowhere, to themselves, and to a regular file inside it.
                    var name = $"link-{n}.jsonl";
                    var path = Path.Combine(drop, name);
                    switch (pcg.Next(4))
                    {
                        case 0:
                            var target = Path.Combine(outside, $"outside-{n}.jsonl");
                            await File.WriteAllTextAsync(target, ValidLine() + "\n", Ct);
                            valid.Clear();
                            File.CreateSymbolicLink(path, target);
                            break;
                        case 1:
                            File.CreateSymbolicLink(path, Path.Combine(outside, "missing-" + n));
                            break;
                        case 2:
                            File.CreateSymbolicLink(path, path);
                            break;
                        default:
                            var inside = Path.Combine(drop, $"data-{n}.txt");
                            await File.WriteAllTextAsync(inside, ValidLine() + "\n", Ct);
                            File.CreateSymbolicLink(path, inside);
                            break;
                    }

                    return (name, valid);
                }

            case 8:
                {
                    var name = $"utf16-{n}.csv";
                    await File.WriteAllTextAsync(Path.Combine(drop, name), FuzzGen.CsvHeader + "\n" + FuzzGen.ValidCsvRow("u16-" + n, n) + "\n", Encoding.Unicode, Ct);
                    return (name, valid);
                }

            case 9:
                {
                    var name = $"empty-{n}.jsonl";
                    await File.WriteAllBytesAsync(Path.Combine(drop, name), [], Ct);
                    return (name, valid);
                }

            case 10:
                {
                    // A UTF-8 byte order mark, CRLF line ends and invalid UTF-8 between valid lines.
                    var name = $"bom-{n}.jsonl";
                    byte[] content = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(ValidLine() + "\r\n"), 0xC3, 0x28, 0xFF, (byte)'\r', (byte)'\n', .. Encoding.UTF8.GetBytes(ValidLine() + "\r\n")];
                    await File.WriteAllBytesAsync(Path.Combine(drop, name), content, Ct);
                    return (name, valid);
                }

            default:
                {
                    var name = $"lines-{n}.jsonl";
                    var lines = Enumerable.Range(0, (int)pcg.Next(20) + 1).Select(i => i % 2 == 0 ? Hostile() : ValidLine()).ToArray();
                    await WriteLinesAsync(Path.Combine(drop, name), lines, Ct);
                    return (name, valid);
                }
        }
    }
}
