"""The hosts of the spec's worked examples (require.md §12), built directly."""

from __future__ import annotations

from nvreq.host.profile import Gpu, HostProfile

A = HostProfile(gpus=(Gpu(0, brand="Nvidia", arch="9.0"),), driver="550.54.15", cuda="12.4",
                name="A")
B = HostProfile(gpus=(Gpu(0, brand="Tesla", arch="7.5"),), driver="535.104.05", cuda="12.2",
                name="B")
C = HostProfile(gpus=(Gpu(0, brand="GeForce", arch="8.9"),), driver="535.104.05", cuda="12.2",
                name="C")
D = HostProfile(gpus=(Gpu(0, brand="Nvidia", arch="9.0"), Gpu(1, brand="Tesla", arch="7.5")),
                driver="550.54.15", cuda="12.4", name="D")
HOSTS = {"A": A, "B": B, "C": C, "D": D}

#: NVIDIA_REQUIRE_CUDA of nvidia/cuda:12.4.1-base-ubuntu22.04 (31 terms, 1,126 bytes); source:
#: gitlab.com/nvidia/container-images/cuda dist/12.4.1/ubuntu2204/base/Dockerfile, via the
#: spec's data file (cuda-driver-table.md §4)
CUDA_12_4_1 = "cuda>=12.4 " + " ".join(
    f"brand={b},driver>={br},driver<{br + 1}"
    for br in (470, 525, 535)
    for b in ("tesla", "unknown", "nvidia", "nvidiartx", "geforce", "geforcertx", "quadro",
              "quadrortx", "titan", "titanrtx"))

#: host P of devices.md §17: two GPUs, no MIG
U0 = "GPU-11111111-1111-1111-1111-111111111111"
U1 = "GPU-22222222-2222-2222-2222-222222222222"
P = HostProfile(gpus=(Gpu(0, uuid=U0, pci_bus_id="00000000:3B:00.0"),
                      Gpu(1, uuid=U1, pci_bus_id="00000000:86:00.0")))
