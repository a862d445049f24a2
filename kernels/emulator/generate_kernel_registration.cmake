# Writes the registration translation unit of one kernels/*.cu for the emulator: it includes the kernel source and
# registers every `extern "C" __global__` function found after macro expansion (the preprocessor runs with
# -DNTR_EMULATOR_SCAN, which turns __global__ into a marker). Called by CMakeLists.txt at build time:
#   cmake -DCOMPILER=g++ -DSOURCE=kernels/x.cu -DEMULATOR_DIR=kernels/emulator -DINCLUDE_DIR=kernels -DOUTPUT=x.registration.cpp -P this
execute_process(
  COMMAND ${COMPILER} -E -P -x c++ -std=c++17 -DNTR_EMULATOR_SCAN -include ${EMULATOR_DIR}/cuda_emulator.h -I${INCLUDE_DIR} ${SOURCE}
  OUTPUT_VARIABLE preprocessed
  ERROR_VARIABLE errors
  RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "preprocessing ${SOURCE} for the CUDA emulator failed:\n${errors}")
endif()
string(REGEX MATCHALL "extern \"C\" ntr_emulator_kernel_marker void [A-Za-z_][A-Za-z0-9_]*[ ]*\\(" matches "${preprocessed}")
set(body "")
set(count 0)
foreach(match ${matches})
  string(REGEX REPLACE "^extern \"C\" ntr_emulator_kernel_marker void ([A-Za-z_][A-Za-z0-9_]*).*$" "\\1" name "${match}")
  string(APPEND body "NTR_EMU_REGISTER_KERNEL(${name})\n")
  math(EXPR count "${count} + 1")
endforeach()
if(count EQUAL 0)
  message(FATAL_ERROR "no extern \"C\" __global__ kernel found in ${SOURCE}")
endif()
set(content "// Generated from ${SOURCE} by kernels/emulator/generate_kernel_registration.cmake: do not edit.\n#include \"kernel_registry.h\"\n#include \"${SOURCE}\"\n\n${body}")
file(WRITE ${OUTPUT} "${content}")
