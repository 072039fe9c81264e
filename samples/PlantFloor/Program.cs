using ManufacturingOrchestration.Samples;
using ManufacturingOrchestration.Samples.PlantFloor;

// PlantFloorSimulation says what the shift shows; its command line is read there (--help lists the options).
return await SampleCommandLine.RunOnConsoleAsync(args, PlantFloorSimulation.RunAsync);
