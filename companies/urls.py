from django.urls import path, re_path

from companies.views import (
    applicant,
    clerk,
    clerk_filings,
    documents,
    efirma,
    filings,
    identity,
    progress,
    register,
    remote_signing,
    statistics,
    supervisor,
)

app_name = "companies"
urlpatterns = [
    path("solicitudes/", applicant.dashboard, name="dashboard"),
    path("solicitudes/nueva/", applicant.new_application, name="new"),
    path("solicitudes/<uuid:public_id>/", applicant.resume, name="resume"),
    path("solicitudes/<uuid:public_id>/nombre/verificar/", applicant.name_check, name="name_check"),
    path("solicitudes/<uuid:public_id>/paso/<slug:slug>/", applicant.step, name="step"),
    path("solicitudes/<uuid:public_id>/enviar/", progress.send_for_signatures, name="send"),
    path("solicitudes/<uuid:public_id>/firmas/", progress.signatures, name="signatures"),
    path("solicitudes/<uuid:public_id>/editar/", progress.reopen, name="reopen"),
    path("solicitudes/<uuid:public_id>/firmar/", progress.sign, name="sign"),
    path(
        "solicitudes/<uuid:public_id>/firmar/remota/",
        remote_signing.start,
        name="remote_sign",
    ),
    # the remote signing service's step-up comes back here (registered at the provider)
    path("firma-remota/vuelta/", remote_signing.callback, name="remote_sign_callback"),
    path(
        "solicitudes/<uuid:public_id>/firmar/efirma/preparar/",
        efirma.prepare,
        name="efirma_prepare",
    ),
    path(
        "solicitudes/<uuid:public_id>/firmar/efirma/<uuid:session_id>/terminar/",
        efirma.finish,
        name="efirma_finish",
    ),
    path("solicitudes/<uuid:public_id>/pago/", progress.pay, name="pay"),
    path("solicitudes/<uuid:public_id>/presentar/", progress.submit, name="submit"),
    path("solicitudes/<uuid:public_id>/estado/", progress.status, name="status"),
    path("solicitudes/<uuid:public_id>/retirar/", progress.withdraw, name="withdraw"),
    path("empresas/", register.search, name="register_search"),
    path("empresas/<str:number>/", register.company, name="register_company"),
    path("empresas/<str:number>/tramites/", filings.company, name="company_filings"),
    path(
        "empresas/<str:number>/tramites/nuevo/<slug:filing_type>/",
        filings.new,
        name="new_filing",
    ),
    path("empresas/<str:number>/tramites/<uuid:public_id>/", filings.detail, name="filing"),
    re_path(
        r"^empresas/(?P<number>[^/]+)/tramites/(?P<public_id>[0-9a-f-]{36})/(?P<action>sign|submit|withdraw)/$",
        filings.act,
        name="filing_action",
    ),
    path(
        "empresas/<str:number>/documentos/<slug:kind>-v<int:version>.pdf",
        documents.download,
        name="document",
    ),
    path(
        "empresas/<str:number>/constancia/",
        documents.issue_good_standing,
        name="issue_good_standing",
    ),
    path(
        "empresas/<str:number>/constancias/<str:code>.pdf",
        documents.good_standing_pdf,
        name="good_standing",
    ),
    path("verificar/", documents.verify, name="verify"),
    re_path(r"^verificar/(?P<code>[^/]{1,60})/?$", documents.verify_code, name="verify_code"),
    path("estadisticas/", statistics.statistics, name="statistics"),
    path("identidad/<str:token>/", identity.not_me, name="not_me"),
    path("registro/", clerk.queue, name="queue"),
    path("registro/supervision/", supervisor.dashboard, name="supervision"),
    path("registro/supervision/datos.csv", supervisor.export_csv, name="supervision_csv"),
    path("registro/tramites/", clerk_filings.queue, name="clerk_filings"),
    path("registro/tramites/<uuid:public_id>/", clerk_filings.detail, name="clerk_filing"),
    re_path(
        r"^registro/tramites/(?P<public_id>[0-9a-f-]{36})/(?P<action>approve|reject)/$",
        clerk_filings.act,
        name="clerk_filing_action",
    ),
    path("registro/<uuid:public_id>/", clerk.detail, name="review"),
    re_path(
        r"^registro/(?P<public_id>[0-9a-f-]{36})/(?P<action>claim|release|approve|request-changes|reject|reassign|release-hold)/$",
        clerk.act,
        name="review_action",
    ),
]
