// FleetPrognostics: remaining useful life of engines (NASA C-MAPSS FD001) and end of life of traction batteries
// (NASA PCoE cells), with the shipped models in Models/ and their evaluations. See docs/health-models.md.
