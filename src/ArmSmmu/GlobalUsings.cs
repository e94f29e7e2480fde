// Every file of the library sees all of its namespaces (docs/vocabulary.md, "Namespaces and the public surface"):
// the folders, and so the namespaces, follow the layers, while code inside the library reaches across them freely.
global using ArmSmmu.Caches;
global using ArmSmmu.Device;
global using ArmSmmu.Diagnostics;
global using ArmSmmu.Driver;
global using ArmSmmu.Memory;
global using ArmSmmu.Structures;
global using ArmSmmu.Translation;
