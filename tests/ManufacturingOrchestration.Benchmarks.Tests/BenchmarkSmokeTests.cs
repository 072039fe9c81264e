using System.Reflection;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using ManufacturingOrchestration.Benchmarks.Engine;

namespace ManufacturingOrchestration.Benchmarks.Tests;

/// <summary>
/// Runs every benchmark class through BenchmarkDotNet once, with its dry job in this process: each case's setup,
/// benchmark and cleanup must run without an error, so a benchmark cannot rot between full runs. Asserts no time.
/// </summary>
public sealed class BenchmarkSmokeTests
{
    private static readonly Assembly Benchmarks = typeof(EnginePipelineBenchmarks).Assembly;

    public static TheoryData<string> BenchmarkClasses()
    {
        var data = new TheoryData<string>();
        foreach (var type in Benchmarks.GetTypes().Where(IsBenchmarkClass).OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            data.Add(type.FullName!);
        }

        return data;
    }

    [Fact]
    public void BenchmarkClasses_FindsEveryClassTheReadmeNames()
    {
        BenchmarkClasses().Select(row => row.Data).Should().Contain(
        [
            "ManufacturingOrchestration.Benchmarks.Engine.EnginePipelineBenchmarks",
            "ManufacturingOrchestration.Benchmarks.Model.EventJsonBenchmarks",
            "ManufacturingOrchestration.Benchmarks.Rules.InspectionDecisionBenchmarks",
            "ManufacturingOrchestration.Benchmarks.StateMachines.LotTransitionBenchmarks",
            "ManufacturingOrchestration.Benchmarks.Storage.StoreGroupCommitBenchmarks",
        ]);
    }

    [Theory]
    [MemberData(nameof(BenchmarkClasses))]
    public void DryRunInProcess_EveryCaseRuns(string benchmarkClass)
    {
        var type = Benchmarks.GetType(benchmarkClass, throwOnError: true)!;
        var artifacts = Directory.CreateTempSubdirectory("mo-bench-smoke-");
        try
        {
            var config = ManualConfig.CreateEmpty()
                .AddJob(Job.Dry.WithToolchain(InProcessEmitToolchain.Instance))
                .AddLogger(NullLogger.Instance)
                .WithArtifactsPath(artifacts.FullName)
                .WithOptions(ConfigOptions.DisableOptimizationsValidator);

            var summary = BenchmarkRunner.Run(type, config);

            summary.ValidationErrors.Where(error => error.IsCritical).Should().BeEmpty();
            summary.Reports.Should().NotBeEmpty();
            summary.Reports.Should().OnlyContain(report => report.Success, "every case of {0} must run", benchmarkClass);
        }
        finally
        {
            artifacts.Delete(recursive: true);
        }
    }

    private static bool IsBenchmarkClass(Type type) =>
        type is { IsClass: true, IsAbstract: false, IsPublic: true }
        && type.GetMethods().Any(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null);
}
