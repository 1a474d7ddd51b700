// tinykv-grade-supervisor: started by tinykv-grade for each graded seed
// (grading/runner/supervisor.h).
#include "grading/runner/supervisor.h"

int main(int argc, char** argv) { return tinykv::grading::runner::SupervisorMain(argc, argv); }
