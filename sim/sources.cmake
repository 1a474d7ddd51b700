# The runtime's sources, shared by sim/CMakeLists.txt and the stand-alone cross-compiler probe
# (sim/probe), so both always build the same code.
set(TINYKV_SIM_SOURCES
  random.cc time.cc trace.cc stack_pool.cc stack_guard.cc timer_queue.cc executor.cc debug.cc sync.cc network.cc
  fault_plan.cc determinism.cc rpc_frame.cc)
set(TINYKV_SIM_DEMO_SOURCES demo/ping_scenario.cc)
