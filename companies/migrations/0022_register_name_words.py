"""The register's name search looks a query's words up in a table of the names' words first
(``NameWord``, a few tens of thousands of rows even at a million companies, with its own trigram
index on PostgreSQL: 0018), then goes from the words found to the companies holding them
(``NameWordCompany``): no search reads the trigrams of a million names. The tables are new, so
creating them locks nothing the register reads; 0018 fills them and builds their indexes.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('companies', '0021_company_filings'),
    ]

    operations = [
        migrations.CreateModel(
            name='NameWord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('word', models.CharField(max_length=150, unique=True)),
                ('companies', models.PositiveIntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name='NameWordCompany',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=150)),
                ('name_length', models.PositiveSmallIntegerField()),
                ('company', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='name_words', to='companies.company')),
                ('word', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='companies.nameword')),
            ],
        ),
    ]
