using ManufacturingOrchestration.Samples;
using ManufacturingOrchestration.Samples.IncomingInspection;

// IncomingInspectionSample says what the scenario shows; its command line is read there (--help lists the options).
return await SampleCommandLine.RunOnConsoleAsync(args, IncomingInspectionSample.RunAsync);
