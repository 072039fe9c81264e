namespace ManufacturingOrchestration.Samples.Tests.Shared;

public class SampleCommandLineTests
{
    private static SampleCommandLine Full() => new SampleCommandLine("Demo", "A demo sample.").WithEvents().WithSeed("the demo").WithOutput("the demo files");

    [Fact]
    public async Task RunAsync_Help_ExitsZeroListsEveryOptionAndDoesNotRun()
    {
        var ran = false;
        var run = await RunAsync(Full(), _ => ran = true, "--help");

        run.ExitCode.Should().Be(SampleCommandLine.ExitPassed);
        run.Output.Should().Contain("--events <N>").And.Contain("--seed <S>").And.Contain("--out <DIR>").And.Contain("--help").And.Contain("[default: 600]");
        run.Output.Should().NotContain("--version", "a sample has no version of its own");
        run.Error.Should().BeEmpty();
        ran.Should().BeFalse();
    }

    [Fact]
    public async Task RunAsync_AllOptions_ReadsThemAndKeepsTheNamedFolder()
    {
        var directory = Path.Combine(Path.GetTempPath(), "mo-samples-tests", Guid.NewGuid().ToString("N"));
        SampleOptions? seen = null;
        try
        {
            var run = await RunAsync(Full(), o => seen = o, "--events", "120", "--seed=-7", "--out", directory);

            run.ExitCode.Should().Be(SampleCommandLine.ExitPassed);
            seen!.Events.Should().Be(120);
            seen.Seed.Should().Be(-7);
            seen.OutputDirectory.Should().Be(Path.GetFullPath(directory));
            seen.KeepOutput.Should().BeTrue();
            Directory.Exists(directory).Should().BeTrue("a folder the user named is kept");
            Directory.EnumerateFileSystemEntries(directory).Should().BeEmpty("the write check leaves nothing behind");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task RunAsync_NoOptions_UsesTheDefaultsInAFreshFolderRemovedAtTheEnd()
    {
        SampleOptions? seen = null;
        var existedDuringTheRun = false;

        var run = await RunAsync(Full(), o =>
        {
            seen = o;
            existedDuringTheRun = Directory.Exists(o.OutputDirectory);
            File.WriteAllText(Path.Combine(o.OutputDirectory!, "store.db"), "data");
        });

        run.ExitCode.Should().Be(SampleCommandLine.ExitPassed);
        seen!.Events.Should().Be(SampleOptions.DefaultEvents);
        seen.Seed.Should().Be(SampleOptions.DefaultSeed);
        seen.KeepOutput.Should().BeFalse();
        seen.OutputDirectory.Should().StartWith(Path.GetTempPath());
        run.OutputFolder.Should().Be(seen.OutputDirectory);
        existedDuringTheRun.Should().BeTrue();
        Directory.Exists(seen.OutputDirectory).Should().BeFalse("a folder made for the run is removed with what the run wrote");
    }

    [Fact]
    public async Task RunAsync_Switch_IsOnOnlyWhenGivenAndListedByHelp()
    {
        var commandLine = new SampleCommandLine("Demo", "A demo sample.").WithSwitch("--without-demo", "Leaves the demo out.");
        var seen = new List<bool>();

        var with = await RunAsync(commandLine, o => seen.Add(o.IsOn("--without-demo")), "--without-demo");
        var without = await RunAsync(commandLine, o => seen.Add(o.IsOn("--without-demo")));
        var help = await RunAsync(commandLine, _ => seen.Add(true), "--help");

        with.ExitCode.Should().Be(SampleCommandLine.ExitPassed);
        without.ExitCode.Should().Be(SampleCommandLine.ExitPassed);
        seen.Should().Equal(true, false);
        help.Output.Should().Contain("--without-demo").And.Contain("Leaves the demo out.");
    }

    [Fact]
    public async Task RunAsync_SwitchGivenAValue_ExitsTwo()
    {
        var ran = false;

        var run = await RunAsync(new SampleCommandLine("Demo", "A demo sample.").WithSwitch("--without-demo", "Leaves the demo out."), _ => ran = true, "--without-demo", "maybe");

        run.ExitCode.Should().Be(SampleCommandLine.ExitUsage);
        run.Error.Should().Contain("maybe").And.NotContain("   at ");
        ran.Should().BeFalse();
    }

    [Fact]
    public async Task RunAsync_TwoRuns_GetTwoFolders()
    {
        var folders = new List<string>();

        await RunAsync(Full(), o => folders.Add(o.OutputDirectory!));
        await RunAsync(Full(), o => folders.Add(o.OutputDirectory!));

        folders.Should().HaveCount(2).And.OnlyHaveUniqueItems();
    }

    [Theory]
    [InlineData("--events", "--events", "abc")]
    [InlineData("--events", "--events=0")]
    [InlineData("--events", "--events", "-3")]
    [InlineData("--events", "--events")]
    [InlineData("--seed", "--seed", "x")]
    [InlineData("--seed", "--seed", "1.5")]
    public async Task RunAsync_BadValue_ExitsTwoWithOneLineNamingTheOption(string option, params string[] args)
    {
        var ran = false;

        var run = await RunAsync(Full(), _ => ran = true, args);

        run.ExitCode.Should().Be(SampleCommandLine.ExitUsage);
        run.Error.Should().Contain(option).And.NotContain("   at ", "a bad value is not a crash: no stack trace");
        run.Error.TrimEnd().Split('\n').Should().ContainSingle();
        ran.Should().BeFalse();
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("--colour", "red")]
    [InlineData("extra")]
    public async Task RunAsync_UnknownOption_ExitsTwoWithoutAStackTrace(params string[] args)
    {
        var ran = false;

        var run = await RunAsync(Full(), _ => ran = true, args);

        run.ExitCode.Should().Be(SampleCommandLine.ExitUsage);
        run.Error.Should().Contain(args[0]).And.NotContain("   at ");
        ran.Should().BeFalse();
    }

    [Fact]
    public async Task RunAsync_OptionTheSampleDoesNotTake_ExitsTwo()
    {
        var run = await RunAsync(new SampleCommandLine("Demo", "A demo sample."), _ => { }, "--events", "5");

        run.ExitCode.Should().Be(SampleCommandLine.ExitUsage);
        run.Error.Should().Contain("--events");
    }

    [Fact]
    public async Task RunAsync_OutUnderAFile_ExitsTwoNamingTheFolder()
    {
        var file = Path.Combine(Path.GetTempPath(), $"mo-samples-tests-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(file, "not a folder", TestContext.Current.CancellationToken);
        var ran = false;
        try
        {
            var run = await RunAsync(Full(), _ => ran = true, "--out", Path.Combine(file, "sub"));

            run.ExitCode.Should().Be(SampleCommandLine.ExitUsage);
            run.Error.Should().Contain("--out").And.Contain(file).And.NotContain("   at ");
            ran.Should().BeFalse();
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task RunAsync_ChecksFail_ExitsOne()
    {
        var run = await SampleRun.StartAsync((args, output, error, ct) => Full().RunAsync(args, output, error, (_, _, _) => Task.FromResult(false), ct));

        run.ExitCode.Should().Be(SampleCommandLine.ExitChecksFailed);
    }

    [Fact]
    public async Task RunAsync_Cancelled_ExitsWithTheInterruptCodeAndRemovesTheFolder()
    {
        using var cancel = new CancellationTokenSource();
        using var output = new StringWriter();
        using var error = new StringWriter();
        string? folder = null;

        var exitCode = await Full().RunAsync([], output, error, async (o, _, ct) =>
        {
            folder = o.OutputDirectory;
            await cancel.CancelAsync();
            ct.ThrowIfCancellationRequested();
            return true;
        }, cancel.Token);

        exitCode.Should().Be(SampleCommandLine.ExitCancelled);
        error.ToString().Should().Contain("cancelled").And.NotContain("   at ");
        Directory.Exists(folder).Should().BeFalse();
    }

    private static Task<SampleRun> RunAsync(SampleCommandLine commandLine, Action<SampleOptions> run, params string[] args) =>
        SampleRun.StartAsync((a, output, error, ct) => commandLine.RunAsync(a, output, error, (options, _, _) =>
        {
            run(options);
            return Task.FromResult(true);
        }, ct), args);
}
