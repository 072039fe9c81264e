using ManufacturingOrchestration.Samples.CustomConnector;
using ManufacturingOrchestration.Samples.CycleCount;
using ManufacturingOrchestration.Samples.FinishedGoodsRelease;
using ManufacturingOrchestration.Samples.IncomingInspection;
using ManufacturingOrchestration.Samples.PlantFloor;
using ManufacturingOrchestration.Samples.ProductionConfirmation;
using ManufacturingOrchestration.Samples.QuickStart;
using ManufacturingOrchestration.Samples.ScrapSpike;

namespace ManufacturingOrchestration.Samples.Tests.Shared;

/// <summary>Every sample's command line, through the entry point its Program calls.</summary>
public class SampleEntryPointTests
{
    private static readonly string[] AllOptions = ["--events", "--seed", "--out"];

    /// <summary>Each sample and the options it takes (besides --help).</summary>
    public static TheoryData<string, string[]> Samples => new()
    {
        { "QuickStart", ["--out"] },
        { "IncomingInspection", [] },
        { "FinishedGoodsRelease", ["--out"] },
        { "CycleCount", [] },
        { "ScrapSpike", [] },
        { "ProductionConfirmation", [] },
        { "PlantFloor", ["--events", "--seed", "--out"] },
        { "CustomConnector", ["--out"] },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task RunAsync_Help_ExitsZeroAndListsItsOptions(string sample, string[] options)
    {
        var run = await SampleRun.StartAsync(EntryPoint(sample), "--help");

        run.ExitCode.Should().Be(0);
        run.Error.Should().BeEmpty();
        run.Output.Should().Contain($"dotnet run --project samples/{sample} -c Release").And.Contain("-h, --help");
        foreach (var option in options)
        {
            run.Output.Should().Contain(option + " <");
        }

        foreach (var option in AllOptions.Except(options))
        {
            run.Output.Should().NotContain(option, "the sample does not take it");
        }
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task RunAsync_UnknownOption_ExitsTwoWithOneLineAndNoStackTrace(string sample, string[] options)
    {
        _ = options;

        var run = await SampleRun.StartAsync(EntryPoint(sample), "--bogus");

        run.ExitCode.Should().Be(2);
        run.Output.Should().BeEmpty("nothing ran");
        run.Error.Should().Contain("--bogus").And.Contain(sample).And.NotContain("   at ");
        run.Error.TrimEnd().Split('\n').Should().ContainSingle();
    }

    [Theory]
    [InlineData("QuickStart")]
    [InlineData("IncomingInspection")]
    [InlineData("FinishedGoodsRelease")]
    [InlineData("CycleCount")]
    [InlineData("ScrapSpike")]
    [InlineData("ProductionConfirmation")]
    [InlineData("CustomConnector")]
    public async Task RunAsync_NoOptions_PassesItsChecksAndLeavesNoFolderBehind(string sample)
    {
        var run = await SampleRun.StartAsync(EntryPoint(sample));

        run.ExitCode.Should().Be(0, run.Error);
        run.Error.Should().BeEmpty();
        if (run.OutputFolder.Length > 0)
        {
            Directory.Exists(run.OutputFolder).Should().BeFalse("the folder made for the run is removed at the end");
        }
    }

    private static Func<IReadOnlyList<string>, TextWriter, TextWriter, CancellationToken, Task<int>> EntryPoint(string sample) => sample switch
    {
        "QuickStart" => QuickStartSample.RunAsync,
        "IncomingInspection" => IncomingInspectionSample.RunAsync,
        "FinishedGoodsRelease" => FinishedGoodsReleaseSample.RunAsync,
        "CycleCount" => CycleCountSample.RunAsync,
        "ScrapSpike" => ScrapSpikeSample.RunAsync,
        "ProductionConfirmation" => ProductionConfirmationSample.RunAsync,
        "PlantFloor" => PlantFloorSimulation.RunAsync,
        "CustomConnector" => CustomConnectorSample.RunAsync,
        _ => throw new ArgumentOutOfRangeException(nameof(sample), sample, "not a sample"),
    };
}
