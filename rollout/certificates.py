"""The PDF certificate of attendance (A4 landscape, rendered from the server-side record)."""

from __future__ import annotations

import io

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone

from bcp.exports import register_fonts

from .models import Certificate


def verify_url() -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("rollout:certificate-verify")


def render_pdf(certificate: Certificate) -> bytes:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas

    register_fonts()
    enrolment = certificate.enrolment
    session = enrolment.session
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    pdf.setTitle(f"Certificate of attendance · {session.title}")
    pdf.setAuthor("BMMS Portal")
    pdf.setStrokeColorRGB(0.04, 0.43, 0.31)
    pdf.setLineWidth(3)
    pdf.rect(28, 28, width - 56, height - 56)
    center = width / 2
    pdf.setFont("DejaVuSans", 13)
    pdf.drawCentredString(center, height - 90, "Bangsamoro Ministries Management System")
    pdf.setFont("DejaVuSans-Bold", 30)
    pdf.drawCentredString(center, height - 150, "Certificate of attendance")
    pdf.setFont("DejaVuSans", 14)
    pdf.drawCentredString(center, height - 200, "This certifies that")
    pdf.setFont("DejaVuSans-Bold", 24)
    pdf.drawCentredString(center, height - 240, str(enrolment.user))
    pdf.setFont("DejaVuSans", 14)
    pdf.drawCentredString(center, height - 270, enrolment.organization.name)
    pdf.drawCentredString(center, height - 310, "attended the training session")
    pdf.setFont("DejaVuSans-Bold", 17)
    pdf.drawCentredString(center, height - 340, session.title)
    pdf.setFont("DejaVuSans", 13)
    held = formats.date_format(timezone.localtime(session.starts_at), "j M Y")
    pdf.drawCentredString(
        center, height - 366, f"{session.get_module_display()} module · held on {held}"
    )
    pdf.setFont("DejaVuSans", 10)
    pdf.drawCentredString(center, 96, f"Verification code: {certificate.code}")
    pdf.drawCentredString(center, 80, f"Check it at {verify_url()}")
    issued = formats.date_format(timezone.localtime(certificate.issued_at), "j M Y")
    pdf.drawCentredString(center, 64, f"Issued on {issued}")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
