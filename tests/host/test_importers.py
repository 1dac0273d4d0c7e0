"""Host importers: nvidia-smi -q -x (with compute_cap CSV and -L) and nvidia-container-cli info."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nvreq.errors import ProfileError
from nvreq.host.importers import (
    parse_compute_caps,
    parse_container_cli_info,
    parse_gpu_list,
    parse_nvidia_smi_xml,
)
from nvreq.host.sources import load_profile, resolve_host

DATA = Path(__file__).parents[1] / "data"
H200_XML = (DATA / "h200-nvidia-smi-q.xml").read_bytes()


def _smi(gpus: str, driver: str = "535.104.05", cuda: str = "12.2") -> str:
    return (f'<?xml version="1.0" ?>\n<!DOCTYPE nvidia_smi_log SYSTEM "nvsmi_device_v12.dtd">\n'
            f"<nvidia_smi_log><driver_version>{driver}</driver_version>"
            f"<cuda_version>{cuda}</cuda_version>{gpus}</nvidia_smi_log>")


A100_MIG = """<gpu id="00000000:07:00.0"><product_name>NVIDIA A100-SXM4-40GB</product_name>
<product_brand>NVIDIA</product_brand><uuid>GPU-aaaa</uuid><minor_number>3</minor_number>
<mig_mode><current_mig>Enabled</current_mig></mig_mode>
<mig_devices>
 <mig_device><index>0</index><gpu_instance_id>7</gpu_instance_id>
  <compute_instance_id>0</compute_instance_id><fb_memory_usage><total>4864 MiB</total>
  </fb_memory_usage></mig_device>
 <mig_device><index>1</index><gpu_instance_id>8</gpu_instance_id>
  <compute_instance_id>0</compute_instance_id></mig_device>
</mig_devices>
<fb_memory_usage><total>40960 MiB</total></fb_memory_usage></gpu>"""

T4 = """<gpu id="00000000:00:1E.0"><product_name>Tesla T4</product_name>
<product_brand>NVIDIA RTX</product_brand><uuid>GPU-tttt</uuid>
<mig_mode><current_mig>N/A</current_mig></mig_mode><mig_devices>None</mig_devices></gpu>"""


def test_real_h200_xml() -> None:
    profile = parse_nvidia_smi_xml(H200_XML, source="h200.xml")
    assert profile.to_dict() == {
        "format": "nvreq-host/1", "driver": "580.159.04", "cuda": "13.0",
        "gpus": [{"index": 0, "uuid": "GPU-5f2d9c1e-7a43-4b8e-9c0d-1e2f3a4b5c6d",
                  "pci_bus_id": "00000000:00:06.0", "name": "NVIDIA H200", "brand": "Nvidia",
                  "memory_mib": 143771, "minor_number": 0, "mig": {"mode": "disabled"}}],
        "source": {"kind": "nvidia-smi"}}
    assert profile.warnings[0].startswith("arch is unknown")


def test_real_h200_xml_with_compute_caps() -> None:
    profile = parse_nvidia_smi_xml(H200_XML, compute_caps=parse_compute_caps("0, 9.0\n"))
    assert profile.gpus[0].arch == "9.0"
    assert profile.warnings == ()


def test_mig_devices_filled_from_gpu_list() -> None:
    listing = ("GPU 0: NVIDIA A100-SXM4-40GB (UUID: GPU-aaaa)\n"
               "  MIG 1g.5gb      Device  0: (UUID: MIG-1111)\n"
               "  MIG 1g.5gb      Device  1: (UUID: MIG-2222)\n")
    profile = parse_nvidia_smi_xml(_smi(A100_MIG), gpu_list=parse_gpu_list(listing))
    gpu = profile.gpus[0]
    assert (gpu.pci_bus_id, gpu.minor_number, gpu.memory_mib, gpu.mig.mode) == (
        "00000000:07:00.0", 3, 40960, "enabled")
    assert [(d.index, d.uuid, d.gi, d.ci, d.profile, d.memory_mib) for d in gpu.mig.devices] == [
        (0, "MIG-1111", 7, 0, "1g.5gb", 4864), (1, "MIG-2222", 8, 0, "1g.5gb", None)]


def test_gpus_in_document_order_and_brand_text() -> None:
    profile = parse_nvidia_smi_xml(_smi(A100_MIG + T4))
    assert [g.uuid for g in profile.gpus] == ["GPU-aaaa", "GPU-tttt"]
    assert profile.gpus[1].brand == "NvidiaRTX"
    assert profile.gpus[1].mig.mode == "unsupported"
    assert profile.gpus[1].mig.devices == ()


def test_unknown_brand_text_warns() -> None:
    profile = parse_nvidia_smi_xml(_smi(T4.replace("NVIDIA RTX", "Radeon Pro")))
    assert profile.gpus[0].brand is None
    assert "gpus[0].brand: unrecognised brand 'Radeon Pro', left unknown" in profile.warnings


def test_na_values_are_unknown() -> None:
    profile = parse_nvidia_smi_xml(_smi("<gpu><uuid>N/A</uuid></gpu>", driver="N/A", cuda="N/A"))
    assert (profile.driver, profile.cuda, profile.gpus[0].uuid) == (None, None, None)


@pytest.mark.parametrize(("text", "line", "column", "message"), [
    (_smi("<gpu><uuid>GPU-1</uid></gpu>"), 3, 111, "Invalid XML: mismatched tag"),
    ("<nvidia_smi_log>", 1, 17, "Invalid XML: no element found"),
    ("<a>&foo;</a>", 1, 4, "Invalid XML: undefined entity"),
])
def test_malformed_xml_names_line_and_column(text: str, line: int, column: int,
                                             message: str) -> None:
    with pytest.raises(ProfileError) as ctx:
        parse_nvidia_smi_xml(text, source="host.xml")
    assert (ctx.value.line, ctx.value.column, ctx.value.message) == (line, column, message)
    assert str(ctx.value).startswith(f"{message} (host.xml, line {line}, column {column})")


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    '<!DOCTYPE l [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    '<!DOCTYPE l [<!ENTITY % p SYSTEM "http://example.invalid/x.dtd"> %p;]>',
])
def test_entity_declarations_are_refused(doctype: str) -> None:
    with pytest.raises(ProfileError, match="entity declarations are not allowed"):
        parse_nvidia_smi_xml(f"{doctype}<nvidia_smi_log></nvidia_smi_log>")


def test_wrong_root_and_size_cap() -> None:
    with pytest.raises(ProfileError, match=r"root <nvidia_smi_log>\), got <html>"):
        parse_nvidia_smi_xml("<html/>")
    with pytest.raises(ProfileError, match="larger than 16 MiB"):
        parse_nvidia_smi_xml(b" " * ((16 << 20) + 1))


def test_compute_caps_csv() -> None:
    assert parse_compute_caps("index, compute_cap\n0, 9.0\n\n1, 8.6\n") == {0: "9.0", 1: "8.6"}
    with pytest.raises(ProfileError) as ctx:
        parse_compute_caps("0, 9.0\n1, Hopper\n", source="caps.csv")
    assert (ctx.value.line, ctx.value.source) == (2, "caps.csv")


def test_gpu_list_errors_name_the_line() -> None:
    with pytest.raises(ProfileError) as ctx:
        parse_gpu_list("GPU 0: X (UUID: GPU-1)\nsomething else\n")
    assert ctx.value.line == 2


CLI_CSV = """NVRM version,CUDA version
550.54.15,12.4

Device Index,Device Minor,Model,Brand,GPU UUID,Bus Location,Architecture
0,0,NVIDIA H100 80GB HBM3,Nvidia,GPU-8f3e0c4a-1b2d-4c5e-9f60-718293a4b5c6,00000000:3b:00.0,9.0
1,1,Odd, model, name,Tesla,GPU-2,00000000:3c:00.0,7.5
"""

CLI_LABELS = """NVRM version:   550.54.15
CUDA version:   12.4

Device Index:   0
Device Minor:   0
Model:          NVIDIA H100 80GB HBM3
Brand:          Nvidia
GPU UUID:       GPU-8f3e0c4a-1b2d-4c5e-9f60-718293a4b5c6
Bus Location:   00000000:3b:00.0
Architecture:   9.0

Device Index:   1
Device Minor:   1
Model:          Odd, model, name
Brand:          Tesla
GPU UUID:       GPU-2
Bus Location:   00000000:3c:00.0
Architecture:   7.5
"""


@pytest.mark.parametrize("text", [CLI_CSV, CLI_LABELS])
def test_container_cli_both_forms(text: str) -> None:
    profile = parse_container_cli_info(text)
    assert profile.to_dict() == {
        "format": "nvreq-host/1", "driver": "550.54.15", "cuda": "12.4",
        "gpus": [
            {"index": 0, "uuid": "GPU-8f3e0c4a-1b2d-4c5e-9f60-718293a4b5c6",
             "pci_bus_id": "00000000:3B:00.0", "name": "NVIDIA H100 80GB HBM3", "brand": "Nvidia",
             "arch": "9.0", "minor_number": 0},
            {"index": 1, "uuid": "GPU-2", "pci_bus_id": "00000000:3C:00.0",
             "name": "Odd, model, name", "brand": "Tesla", "arch": "7.5", "minor_number": 1}],
        "source": {"kind": "nvidia-container-cli"}}
    assert profile.warnings == ()


def test_container_cli_unknown_sections_are_skipped_with_a_warning() -> None:
    csv = CLI_CSV + "\nMIG Index,GPU Index,UUID\n0,0,MIG-1\n"
    assert parse_container_cli_info(csv).warnings == (
        "skipped an unknown section 'MIG Index,GPU Index,UUID' (line 8)",)
    labels = CLI_LABELS + "\nMIG Device:     0\nMIG Device:     1\n"
    assert parse_container_cli_info(labels).warnings == (
        "skipped an unknown field 'MIG Device' (line 20)",)


@pytest.mark.parametrize(("text", "line", "message"), [
    ("NVRM version,CUDA version\n550.54.15\n", 2, "Expected 'NVRM version,CUDA version' values"),
    (CLI_CSV.replace("1,1,Odd, model, name", "1,1"), 6, "Expected 7 device fields, got 6"),
    (CLI_CSV.replace("1,1,Odd", "x,1,Odd"), 6, "Expected a device index (digits), got 'x'"),
    ("NVRM version: 1\nModel: X\n", 2, "'Model' before any 'Device Index'"),
    ("NVRM version: 1\nno colon here\n", 2, "Expected a 'Label: value' line"),
    ("hello\n", 1, "Expected nvidia-container-cli info output"),
])
def test_container_cli_errors_name_the_line(text: str, line: int, message: str) -> None:
    with pytest.raises(ProfileError) as ctx:
        parse_container_cli_info(text, source="info.txt")
    assert (ctx.value.line, ctx.value.source) == (line, "info.txt")
    assert ctx.value.message.startswith(message)


def test_container_cli_validation_error_names_the_file() -> None:
    with pytest.raises(ProfileError) as ctx:
        parse_container_cli_info(CLI_CSV.replace(",9.0", ",Hopper"), source="info.txt")
    assert (ctx.value.source, ctx.value.path) == ("info.txt", "gpus[0].arch")


@pytest.mark.parametrize(("name", "content", "kind"), [
    ("h200.xml", H200_XML, "nvidia-smi"),
    ("h200.json", H200_XML, "nvidia-smi"),
    ("info.txt", CLI_CSV.encode(), "nvidia-container-cli"),
    ("info", CLI_LABELS.encode(), "nvidia-container-cli"),
])
def test_host_files_are_recognised_by_content(tmp_path: Path, name: str, content: bytes,
                                              kind: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    for profile in (load_profile(path), resolve_host(str(path))):
        assert profile.source == {"kind": kind}
        assert profile.gpus[0].brand == "Nvidia"


def test_loaded_xml_error_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_text("<nvidia_smi_log>\n<gpu>\n</nvidia_smi_log>\n")
    with pytest.raises(ProfileError) as ctx:
        load_profile(path)
    assert str(ctx.value) == f"Invalid XML: mismatched tag ({path}, line 3, column 3)"


@settings(max_examples=150, deadline=None)
@given(st.text(st.sampled_from("<>/=\"' \n&;!?abcgpu_ids:0123456789.,-NVRM"), max_size=120))
def test_arbitrary_text_never_crashes_the_importers(text: str) -> None:
    for parse in (parse_nvidia_smi_xml, parse_container_cli_info, parse_compute_caps,
                  parse_gpu_list):
        with contextlib.suppress(ProfileError):
            parse(text)


@pytest.mark.parametrize("text", [
    '<?xml version="1.0" ?>\n<nvidia_smi_log><driver_version>5\udcff</driver_version>'
    "</nvidia_smi_log>",
    '\ufeff<?xml version="1.0" ?>\n<nvidia_smi_log><gpu id="\udcfe"/></nvidia_smi_log>'])
def test_xml_text_with_lone_surrogates_is_refused_clearly(text: str) -> None:
    with pytest.raises(ProfileError, match="Invalid XML"):
        parse_nvidia_smi_xml(text)


@pytest.mark.parametrize("text", [
    "NVRM version:   550.54.15\r\nCUDA version:   12.4\r\n\r\nDevice Index:   0\r\n"
    "Device Minor:   0\r\nModel:          NVIDIA H100\r\nBrand:          Nvidia\r\n"
    "GPU UUID:       GPU-1\r\nBus Location:   00000000:3b:00.0\r\nArchitecture:   9.0\r\n",
    "\ufeffNVRM version,CUDA version\r\n550.54.15,12.4\r\n\r\nDevice Index,Device Minor,Model,"
    "Brand,GPU UUID,Bus Location,Architecture\r\n0,0,NVIDIA H100,Nvidia,GPU-1,"
    "00000000:3b:00.0,9.0\r\n"])
def test_container_cli_info_with_bom_and_crlf_reads_as_without(text: str) -> None:
    profile = parse_container_cli_info(text)
    assert profile.driver == "550.54.15" and profile.gpus[0].arch == "9.0"


@pytest.mark.parametrize("text", ["0, 9.0\n" + "9" * 5000 + ", 8.6\n", "GPU 1₇: X (UUID: GPU-1)\n"])
def test_numbers_of_any_size_or_script_are_refused_by_line(text: str) -> None:
    with pytest.raises(ProfileError, match="line"):
        parse_compute_caps(text) if "," in text else parse_gpu_list(text)
