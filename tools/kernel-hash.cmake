# cmake -DSOURCE=kernels/x.cu "-DHEADERS=kernels/a.cuh;kernels/b.cuh" -DOUTPUT=x.sha256 -P tools/kernel-hash.cmake
# Writes the SHA-256 (lower-case hex) of the source's bytes followed by each header's bytes, in the given order
# (sorted by name): the same value as KernelSource.ContentHash() in the engine, which loads a fatbin only when
# its .sha256 matches the embedded source.
file(READ "${SOURCE}" content)
foreach(header IN LISTS HEADERS)
  file(READ "${header}" header_content)
  string(APPEND content "${header_content}")
endforeach()
string(SHA256 hash "${content}")
file(WRITE "${OUTPUT}" "${hash}\n")
