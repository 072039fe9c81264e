using ManufacturingOrchestration.Samples;
using ManufacturingOrchestration.Samples.QuickStart;

// QuickStartSample holds the README's quick start; its command line is read there (--help lists the options).
return await SampleCommandLine.RunOnConsoleAsync(args, QuickStartSample.RunAsync);
