# lit configuration of the cim compiler and end-to-end tests.
import os

import lit.formats

config.name = "cim"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "onnx"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.cim_obj_root, "test")

path = os.pathsep.join([config.cim_tools_dir, config.llvm_tools_dir,
                        config.environment.get("PATH", os.environ["PATH"])])
config.environment["PATH"] = path

config.substitutions.append(("%inputs", os.path.join(config.test_source_root,
                                                     "Frontend", "ONNX", "Inputs")))
config.substitutions.append(("%examples", os.path.join(config.cim_src_root,
                                                       "examples")))
config.substitutions.append(("%onnx_node", os.path.join(config.onnx_testdata,
                                                        "node")))
config.substitutions.append(
    ("%python", ("env " + config.python_env + " " if config.python_env else "") +
     "/usr/bin/python3"))
config.substitutions.append(("%cim_src", config.cim_src_root))
config.substitutions.append(("%cim_bin", config.cim_tools_dir))
